import { App, Environment } from 'aws-cdk-lib';
import { BackendStack } from './backend-stack';
import { StageConfig } from './config';
import { FrontendStack } from './frontend-stack';
import { InfraStack } from './infra-stack';
import { LoadTestStack } from './load-test-stack';

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
export function buildSampleApp(app: App, config: StageConfig, env: Environment): SampleStacks {
  const prefix = config.stackPrefix;
  const infra = new InfraStack(app, `${prefix}-Infra`, config, { env });
  const backend = new BackendStack(app, `${prefix}-Backend`, config, { env, infra: infra.infra });
  const frontend = new FrontendStack(app, `${prefix}-Frontend`, config, { env, infra: infra.infra, backend: backend.service });
  const loadTest = new LoadTestStack(app, `${prefix}-LoadTest`, config, { env, infra: infra.infra, backend: backend.service });
  // The tester's metrics are named by literals, so the backend's dashboard shows them without the
  // backend stack depending on the load-test stack.
  backend.dashboard.addLoadTester(loadTest.tester);
  return { infra, backend, frontend, loadTest };
}
