import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { MicroService } from '../micro-service/micro-service';
import { fail } from '../private/validation';

/**
 * The AfterAllowTestTraffic hook of each CodeDeploy service: the AppSpec names one function per
 * lifecycle event ("AppSpec 'hooks' section",
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html),
 * and the pipeline that writes the AppSpec reads it here.
 */
const hooks = new WeakMap<MicroService, lambda.IFunction>();

/** Records the gate's function as the service's AfterAllowTestTraffic hook. */
export function registerAfterAllowTestTraffic(service: MicroService, fn: lambda.IFunction): void {
  const existing = hooks.get(service);
  if (existing) {
    fail(fn, `service '${service.serviceName}' has a load-test gate already (${existing.node.scope?.node.path}): CodeDeploy runs one AfterAllowTestTraffic function per deployment, so give the service one gate`);
  }
  hooks.set(service, fn);
}

/**
 * The AppSpec hooks of a CodeDeploy service, for `appSpec()`: the name of its gate's function at
 * AfterAllowTestTraffic, or none.
 */
export function codeDeployHooksOf(service: MicroService): { afterAllowTestTraffic?: string } {
  const fn = hooks.get(service);
  return fn ? { afterAllowTestTraffic: fn.functionName } : {};
}
