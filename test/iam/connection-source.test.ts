import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { checkStatement } from './iam-model';
import { MicroService, PipelineSource, RollingPipeline, ServiceImage } from '../../src';
import { importedInfra, newStack } from '../util';

// Connections created since July 2024 have codeconnections ARNs; older ones keep codestar-connections
// ARNs, and IAM matches the action's service prefix against the resource's
// (https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html).
const CODECONNECTIONS = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const CODESTAR = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

/** The source action role's statements that use the connection. */
function connectionStatements(connectionArn: string, stack: Stack = newStack()): any[] {
  const service = new MicroService(stack, 'Orders', {
    infra: importedInfra(stack),
    serviceName: 'orders',
    image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
  });
  new RollingPipeline(stack, 'Pipeline', { service, source: PipelineSource.connection({ connectionArn, repository: 'my-org/orders' }) });
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.entries<any>(policies)
    .filter(([id]) => id.startsWith('PipelineSourceCodePipelineActionRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .filter(s => JSON.stringify(s.Action).includes(':UseConnection'));
}

test.each([
  ['codeconnections', CODECONNECTIONS],
  ['codestar-connections', CODESTAR],
])('a %s connection is used with its own service prefix, and the IAM model accepts the grant', async (prefix, arn) => {
  const statements = connectionStatements(arn);
  expect(statements).toEqual([{ Effect: 'Allow', Action: `${prefix}:UseConnection`, Resource: arn }]);
  const findings = await checkStatement({
    source: 'test', logicalId: 'SourceRole', statement: '#0', effect: 'Allow', actions: [statements[0].Action], resources: [arn], conditionKeys: [],
  });
  expect(findings).toEqual([]);
});

test('a connection ARN known only at deploy time is usable under either prefix', () => {
  const stack = newStack();
  const arn = new CfnParameter(stack, 'ConnectionArn').valueAsString;
  expect(connectionStatements(arn, stack)).toEqual([{
    Effect: 'Allow',
    Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
    Resource: { Ref: 'ConnectionArn' },
  }]);
});
