import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { NamedStages } from './config';
import { FrontendStack } from './frontend-stack';
import { ReleasePipeline } from '../../src';

export interface ReleaseStackProps extends StackProps {
  /** The stages, in release order, with each stage's frontend stack. */
  readonly stages: Array<{ readonly name: string; readonly config: NamedStages[number][1]; readonly frontend: FrontendStack }>;
  /** The repository the release builds into, which every stage's frontend pulls from. */
  readonly repository: ecr.IRepository;
}

/**
 * The frontend's release: built once from the first stage's source, the same image digest deployed
 * to each stage in order. In each stage the canary's load-test gate runs during the deployment;
 * after it, the stage's rollback alarms must stay OK for the stage's bake time before the next
 * stage starts, and a later stage may wait for a person and for its deployment window.
 */
export class ReleaseStack extends Stack {
  public readonly pipeline: ReleasePipeline;

  constructor(scope: Construct, id: string, props: ReleaseStackProps) {
    super(scope, id, props);
    const first = props.stages[0];
    const last = props.stages[props.stages.length - 1];
    this.pipeline = new ReleasePipeline(this, 'FrontendRelease', {
      source: first.frontend.delivery.source,
      imageBuild: first.frontend.delivery.imageBuild,
      buildRepository: props.repository,
      stages: props.stages.map(({ name, config, frontend }, i) => ({
        stageName: name,
        target: frontend.service,
        // The first stage is where a release starts; approving it would only approve the commit.
        manualApproval: i > 0 && config.manualApproval,
        bakeTime: Duration.minutes(config.frontendRelease.bakeMinutes),
        deploymentWindow: config.frontendRelease.window,
      })),
      notificationEmails: [...new Set(props.stages.flatMap(s => s.config.notificationEmails))],
      // The release's artifacts and history follow its most careful stage.
      removalPolicy: last.config.removalPolicy,
    });
  }
}
