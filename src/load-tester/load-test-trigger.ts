import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

/**
 * Options of `LoadTestTrigger.continuous()`.
 */
export interface ContinuousLoadTestOptions {
  /**
   * The pause after a round of runs (one per target) before the next round.
   *
   * @default Duration.minutes(1)
   */
  readonly pauseBetweenRuns?: Duration;
}

/**
 * When a LoadTester runs.
 */
export class LoadTestTrigger {
  /**
   * One task per schedule event (an EventBridge rule starts it with ECS RunTask). The task makes
   * one run per target and stops.
   */
  public static onSchedule(schedule: events.Schedule): LoadTestTrigger {
    return new LoadTestTrigger(schedule, undefined);
  }

  /**
   * An ECS service keeps one task running, which makes a round of runs (one per target), pauses,
   * and starts again, until the tester is disabled.
   */
  public static continuous(options: ContinuousLoadTestOptions = {}): LoadTestTrigger {
    return new LoadTestTrigger(undefined, options.pauseBetweenRuns ?? Duration.minutes(1));
  }

  /** The schedule. Undefined for a continuous load test. */
  public readonly schedule?: events.Schedule;
  /** The pause between rounds. Undefined for a scheduled load test. */
  public readonly pauseBetweenRuns?: Duration;

  private constructor(schedule: events.Schedule | undefined, pauseBetweenRuns: Duration | undefined) {
    this.schedule = schedule;
    this.pauseBetweenRuns = pauseBetweenRuns;
  }
}
