import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { IBaseInfra, LoadTester, LoadTestTarget, LoadTestTrigger, MicroService } from '../../src';

export interface LoadTestStackProps extends StackProps {
  readonly infra: IBaseInfra;
  readonly backend: MicroService;
}

/** Bounded, scheduled load on the backend, through its load balancer and through its Cloud Map name. */
export class LoadTestStack extends Stack {
  public readonly tester: LoadTester;

  constructor(scope: Construct, id: string, config: StageConfig, props: LoadTestStackProps) {
    super(scope, id, props);
    const settings = config.loadTester;
    this.tester = new LoadTester(this, 'LoadTester', {
      infra: props.infra,
      targets: [
        LoadTestTarget.loadBalancer(props.backend, { path: '/items' }),
        LoadTestTarget.cloudMap(props.backend, { path: '/items' }),
      ],
      trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.minutes(settings.everyMinutes))),
      enabled: settings.enabled,
      requests: settings.requests,
      concurrency: settings.concurrency,
      timeLimit: Duration.seconds(settings.timeLimitSeconds),
      loadTesterName: `${config.stackPrefix}-backend`,
      removalPolicy: config.removalPolicy,
    });
  }
}
