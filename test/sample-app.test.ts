import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { acknowledgements, guardFindings, nagFindings } from './validators';
import { buildSampleApp } from '../integ/sample/app';
import { STAGES } from '../integ/sample/config';

const app = new App();
buildSampleApp(app, STAGES.dev, { region: 'us-east-1' });
const stacks = app.node.children.filter(Stack.isStack);
const template = (name: string) => Template.fromStack(stacks.find(s => s.stackName === `EcsDevops-Dev-${name}`)!);

test('the sample app has the base, backend, frontend and load-test stacks', () => {
  expect(stacks.map(s => s.stackName)).toEqual(['EcsDevops-Dev-Infra', 'EcsDevops-Dev-Backend', 'EcsDevops-Dev-Frontend', 'EcsDevops-Dev-LoadTest']);
  for (const stack of stacks) {
    expect(stack.region).toBe('us-east-1');
    expect(stack.account).toMatch(/^\$\{Token/);
  }
});

test('the backend sits behind an internal load balancer, the frontend behind a public one', () => {
  template('Backend').hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  template('Frontend').hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
});

test('the frontend reaches the backend through its Cloud Map name', () => {
  template('Frontend').hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      Environment: Match.arrayWith([{ Name: 'BACKEND_URL', Value: 'http://backend.svc.internal:8080' }]),
    })],
  });
  template('Frontend').hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    Description: 'Frontend calls the backend through Cloud Map',
    GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('EcsDevops-Dev-Backend') },
  });
});

test('cdk-nag AwsSolutions reports no unacknowledged errors', () => {
  expect(nagFindings(app)).toEqual([]);
});

test('every acknowledgement carries a written reason and sits on the construct that causes it', () => {
  const acks = acknowledgements(app);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(ack.reason.length).toBeGreaterThan(40);
    expect(ack.path.split('/').length).toBeGreaterThan(1);
  }
});

/**
 * Control Tower rules the sample still trips, each for a stated reason. A new finding fails this test:
 * fix it in the library, or add it here with the reason it stays.
 */
const ACCEPTED_GUARD_FINDINGS: Record<string, string> = {
  'CT.CLOUDWATCH.PR.1': 'a service\'s rollback alarms act by rolling its deployment back (ECS or CodeDeploy), not by notifying; the dashboard\'s alarms notify',
  'CT.CLOUDWATCH.PR.2': 'log retention defaults to one month (cost); compliance accounts set logRetention/flowLogRetention to a year',
  'CT.CLOUDWATCH.PR.3': 'log groups use CloudWatch Logs service-side encryption; a customer KMS key per log group is opt-in cost',
  'CT.CODEBUILD.PR.4': 'docker build needs the Docker daemon, which CodeBuild runs only in privileged mode; the project builds this service\'s own source',
  'CT.ECS.PR.2': 'false positive: the cluster has Container Insights "enhanced", the rule only accepts "enabled"',
  'CT.LAMBDA.PR.3': 'the function that creates a service\'s image parameter (aws-cdk-lib\'s AwsCustomResource) runs only on stack create and delete and calls only the SSM API; a VPC would add endpoints or NAT for nothing',
  'CT.ELASTICLOADBALANCING.PR.1': 'the sample has no certificate, so its listeners serve HTTP; with a certificate HTTP redirects to HTTPS',
  'CT.ELASTICLOADBALANCING.PR.5': 'deletion protection would block stack updates that replace the load balancer; it keeps no state',
  'CT.S3.PR.2': 'the access-log bucket itself is not access-logged (that would only log the log writes)',
  'CT.S3.PR.4': 'nothing consumes events of the access-log bucket',
  'CT.S3.PR.9': 'object lock would keep logs past their 90-day lifecycle expiration',
  'CT.S3.PR.10': 'ALB access logs can only be written to SSE-S3 encrypted buckets',
  'CT.SQS.PR.1': 'the findings are the dead-letter queues of the worker and the scheduled task: a dead-letter queue of a dead-letter queue would only hold what nobody redrives',
};

/**
 * Accepted only on task definitions with a FireLens log router, which runs as root with a writable
 * root filesystem: FireLens creates its unix socket in a root-owned host directory
 * (aws/containers-roadmap#2122, "FireLens currently requires Fluent Bit to run as root"), and the
 * init image writes its configuration under /init (aws/aws-for-fluent-bit#928). The application
 * containers beside it keep a non-root user and a read-only root filesystem.
 */
const LOG_ROUTER_GUARD_FINDINGS = ['CT.ECS.PR.3', 'CT.ECS.PR.6'];

test('cfn-guard Control Tower findings are only the accepted ones', () => {
  const findings = guardFindings(app);
  const withLogRouter = new Set(stacks.flatMap(stack => Object.entries(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))
    .filter(([, td]) => (td.Properties.ContainerDefinitions as any[]).some(c => c.FirelensConfiguration))
    .map(([id]) => id)));
  expect(withLogRouter.size).toBeGreaterThan(0);
  const unexpected = findings
    .map(f => LOG_ROUTER_GUARD_FINDINGS.includes(f.rule) ? { ...f, resources: f.resources.filter(r => !withLogRouter.has(r)) } : f)
    .filter(f => !(f.rule in ACCEPTED_GUARD_FINDINGS) && f.resources.length > 0);
  expect(unexpected).toEqual([]);
  // Printed so the count can be reported; see ACCEPTED_GUARD_FINDINGS for why each stays.
  console.log(`cfn-guard Control Tower: ${findings.reduce((n, f) => n + f.resources.length, 0)} findings over ${findings.length} rules\n`
    + findings.map(f => `  ${f.rule} x${f.resources.length}`).join('\n'));
});

test('a stage with frontendDomain serves the frontend over HTTPS on that name, with a DNS-validated certificate', () => {
  const domainApp = new App();
  buildSampleApp(domainApp, { ...STAGES.dev, frontendDomain: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', domainName: 'shop.example.com' } }, { region: 'us-east-1' });
  const frontend = Template.fromStack(domainApp.node.children.filter(Stack.isStack).find(s => s.stackName === 'EcsDevops-Dev-Frontend')!);
  frontend.hasResourceProperties('AWS::CertificateManager::Certificate', {
    DomainName: 'shop.example.com',
    ValidationMethod: 'DNS',
    DomainValidationOptions: [{ DomainName: 'shop.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
  });
  frontend.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  frontend.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
  expect(nagFindings(domainApp)).toEqual([]);
});

test('the frontend canary waits for a load test on its test listener, with the stage\'s alarm thresholds, before production moves', () => {
  const frontend = template('Frontend');
  frontend.hasResourceProperties('AWS::ECS::Service', {
    DeploymentConfiguration: Match.objectLike({
      Strategy: 'CANARY',
      LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })],
    }),
  });
  frontend.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      Environment: Match.arrayWith([
        { Name: 'LT_MAX_ERROR_PERCENT', Value: String(STAGES.dev.frontend.errorRatePercent) },
        { Name: 'LT_MAX_P99_MS', Value: String(STAGES.dev.frontend.p99LatencyMs) },
      ]),
    })],
  });
});

test('the backend routes its JSON log lines through FireLens to its log group, parsed into fields', () => {
  template('Backend').hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: Match.arrayWith([
      Match.objectLike({ Name: 'backend', LogConfiguration: Match.objectLike({ LogDriver: 'awsfirelens', Options: Match.objectLike({ Name: 'cloudwatch_logs' }) }) }),
      Match.objectLike({
        Name: 'log-router',
        Essential: true,
        FirelensConfiguration: { Type: 'fluentbit', Options: Match.objectLike({ 'config-file-value': '/fluent-bit/configs/parse-json.conf' }) },
      }),
    ]),
  });
});
