import { App, Environment } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { BackendStack } from './backend-stack';
import { NamedStages, StageConfig } from './config';
import { FrontendStack } from './frontend-stack';
import { ImagesStack } from './images-stack';
import { InfraStack } from './infra-stack';
import { LoadTestStack } from './load-test-stack';
import { ReleaseStack } from './release-stack';

/** The four stacks of the sample system (seed 000), built from the library's constructs. */
export interface SampleStacks {
  readonly infra: InfraStack;
  readonly backend: BackendStack;
  readonly frontend: FrontendStack;
  readonly loadTest: LoadTestStack;
}

/**
 * Adds the sample system for one stage to `app`. `env` needs only a region: ALB access logs need
 * it at synth, and nothing needs an account, so the app synthesizes without credentials.
 */
export function buildSampleApp(app: App, config: StageConfig, env: Environment, frontendReleasedFrom?: ecr.IRepository): SampleStacks {
  const prefix = config.stackPrefix;
  const infra = new InfraStack(app, `${prefix}-Infra`, config, { env });
  const backend = new BackendStack(app, `${prefix}-Backend`, config, { env, infra: infra.infra });
  const frontend = new FrontendStack(app, `${prefix}-Frontend`, config, { env, infra: infra.infra, backend: backend.service, releasedFrom: frontendReleasedFrom });
  const loadTest = new LoadTestStack(app, `${prefix}-LoadTest`, config, { env, infra: infra.infra, backend: backend.service });
  // The tester's metrics are named by literals, so the backend's dashboard shows them without the
  // backend stack depending on the load-test stack.
  backend.dashboard.addLoadTester(loadTest.tester);
  return { infra, backend, frontend, loadTest };
}

/** The sample system of every stage, and the frontend's release through them. */
export interface SampleRelease {
  readonly stages: SampleStacks[];
  /** The frontend's build repository. Undefined with one stage, whose frontend has its own pipeline. */
  readonly images?: ImagesStack;
  /** The frontend's release through the stages. Undefined with one stage. */
  readonly release?: ReleaseStack;
}

/**
 * Adds the sample system of each stage to `app`. With one stage, each service has its own pipeline
 * (`buildSampleApp`). With several, the frontend is released by one pipeline: built once from the
 * first stage's source into `EcsDevops-Images`, the same digest promoted through the stages in
 * order by `EcsDevops-Release` (the backend keeps its pipeline per stage).
 */
export function buildSampleRelease(app: App, stages: NamedStages, env: Environment): SampleRelease {
  if (stages.length === 1) {
    return { stages: [buildSampleApp(app, stages[0][1], env)] };
  }
  const images = new ImagesStack(app, 'EcsDevops-Images', { env });
  const built = stages.map(([, config]) => buildSampleApp(app, config, env, images.frontendRepository));
  const release = new ReleaseStack(app, 'EcsDevops-Release', {
    env,
    repository: images.frontendRepository,
    stages: stages.map(([name, config], i) => ({ name, config, frontend: built[i].frontend })),
  });
  return { stages: built, images, release };
}
