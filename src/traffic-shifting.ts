import { Duration } from 'aws-cdk-lib';

/**
 * How CodeDeploy moves production traffic from the blue to the green tasks.
 */
export enum TrafficShiftingType {
  /** All traffic at once. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** A first percentage, then the rest after an interval. */
  CANARY = 'CANARY',
  /** Equal percentages, one per interval. */
  LINEAR = 'LINEAR',
}

/**
 * Options for `TrafficShifting.canary()` and `TrafficShifting.linear()`.
 */
export interface TrafficShiftingOptions {
  /**
   * The percentage of traffic moved first (canary) or in each step (linear), 1 to 99.
   *
   * @default 10
   */
  readonly percentage?: number;

  /**
   * How long to wait after the first shift (canary) or between two steps (linear), in whole minutes.
   *
   * @default - Duration.minutes(5) for canary, Duration.minutes(1) for linear
   */
  readonly interval?: Duration;
}

/**
 * How CodeDeploy shifts production traffic during a blue/green deployment.
 */
export class TrafficShifting {
  /** Move all production traffic at once. */
  public static allAtOnce(): TrafficShifting {
    return new TrafficShifting(TrafficShiftingType.ALL_AT_ONCE, 100, Duration.minutes(0));
  }

  /**
   * Move `percentage` of the traffic, wait `interval`, then move the rest. The default is
   * CodeDeploy's `ECSCanary10Percent5Minutes`.
   */
  public static canary(options: TrafficShiftingOptions = {}): TrafficShifting {
    return new TrafficShifting(TrafficShiftingType.CANARY, options.percentage ?? 10, options.interval ?? Duration.minutes(5));
  }

  /** Move `percentage` of the traffic every `interval` until all of it has moved. */
  public static linear(options: TrafficShiftingOptions = {}): TrafficShifting {
    return new TrafficShifting(TrafficShiftingType.LINEAR, options.percentage ?? 10, options.interval ?? Duration.minutes(1));
  }

  /** The kind of shift. */
  public readonly type: TrafficShiftingType;
  /** The percentage moved first (canary) or per step (linear). 100 for all at once. */
  public readonly percentage: number;
  /** The wait after the first shift (canary) or between steps (linear). Zero for all at once. */
  public readonly interval: Duration;

  private constructor(type: TrafficShiftingType, percentage: number, interval: Duration) {
    this.type = type;
    this.percentage = percentage;
    this.interval = interval;
  }
}
