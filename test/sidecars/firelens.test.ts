import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { containers, iamFindings, roleStatements } from './helpers';
import { Sidecar } from '../../src';
import { FLUENT_BIT_IMAGE, S3_OUTPUT_CONFIG } from '../../src/private/firelens-sidecar';
import { build, create } from '../micro-service/builder';
import { newStack } from '../util';
import { nagFindings } from '../validators';

describe('Sidecar.fireLens() with defaults', () => {
  const { stack, template } = build({ sidecars: [Sidecar.fireLens()] });
  const c = containers(template);

  test('adds an essential AWS for Fluent Bit log router with a FireLens configuration and its own awslogs output', () => {
    expect(c['log-router']).toEqual({
      Name: 'log-router',
      Image: FLUENT_BIT_IMAGE,
      Essential: true,
      Memory: 128,
      FirelensConfiguration: { Type: 'fluentbit' },
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: 'OrdersLogs63C9E25A' }, 'awslogs-stream-prefix': 'log-router', 'awslogs-region': 'eu-west-1', 'mode': 'non-blocking' },
      },
    });
  });

  test('pins an init- tag of the stable version from ECR Public', () => {
    expect(FLUENT_BIT_IMAGE).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:init-2.34.3.20260623');
  });

  test('switches the application container to awsfirelens with the cloudwatch_logs output on the service log group', () => {
    expect(c.orders.LogConfiguration).toEqual({
      LogDriver: 'awsfirelens',
      Options: {
        Name: 'cloudwatch_logs',
        region: 'eu-west-1',
        log_group_name: { Ref: 'OrdersLogs63C9E25A' },
        log_stream_prefix: 'orders/',
        auto_create_group: 'false',
      },
    });
  });

  test('makes the application start after the log router, and takes its memory out of the task', () => {
    expect(c.orders.DependsOn).toEqual([{ ContainerName: 'log-router', Condition: 'START' }]);
    expect(c.orders.Memory).toBe(512 - 128);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' });
  });

  test('gives the task role exactly CreateLogStream and PutLogEvents on the log group', () => {
    expect(roleStatements(template, 'OrdersTaskDefTaskRole')).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['OrdersLogs63C9E25A', 'Arn'] } },
    ]);
  });

  test('sets no environment on the router and no S3 asset', () => {
    expect(c['log-router'].Environment).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toContain('aws_fluent_bit_init_s3');
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('fits the IAM model', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('Sidecar.fireLens() to CloudWatch Logs and S3', () => {
  const stack = newStack();
  const key = new kms.Key(stack, 'ArchiveKey', { enableKeyRotation: true });
  const bucket = new s3.Bucket(stack, 'Archive', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
  const group = new logs.LogGroup(stack, 'AppLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const { template } = build({ sidecars: [Sidecar.fireLens({ logGroup: group, s3: { bucket, keyPrefix: 'logs/orders/' } })] }, stack);
  const c = containers(template);
  const assetKey = /\/([0-9a-f]{64}\.conf)$/;

  test('sends the application output to the given log group', () => {
    expect(c.orders.LogConfiguration.Options.log_group_name).toEqual({ Ref: stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup) });
  });

  test('hands the router the S3 output configuration through the init process, with the bucket, region, key prefix and the application\'s tag', () => {
    const env = Object.fromEntries(c['log-router'].Environment.map((e: any) => [e.Name, e.Value]));
    expect(Object.keys(env).sort()).toEqual(['FIRELENS_S3_BUCKET', 'FIRELENS_S3_KEY_PREFIX', 'FIRELENS_S3_MATCH', 'FIRELENS_S3_REGION', 'aws_fluent_bit_init_s3_1']);
    expect(env.FIRELENS_S3_BUCKET).toEqual({ Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) });
    expect(env.FIRELENS_S3_REGION).toBe('eu-west-1');
    expect(env.FIRELENS_S3_KEY_PREFIX).toBe('logs/orders/');
    expect(env.FIRELENS_S3_MATCH).toBe('orders-firelens-*');
    const arn = JSON.stringify(env.aws_fluent_bit_init_s3_1);
    expect(arn).toMatch(/:s3:::.*cdk-hnb659fds-assets-\$\{AWS::AccountId\}-eu-west-1.*\/[0-9a-f]{64}\.conf/);
  });

  test('ships the S3 output configuration as a file asset with the same content', () => {
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const files = Object.values<any>(manifest.files).filter(f => f.source.packaging === 'file' && assetKey.test(`/${f.destinations[Object.keys(f.destinations)[0]].objectKey}`));
    expect(files).toHaveLength(1);
    expect(fs.readFileSync(path.join(assembly.directory, files[0].source.path), 'utf8')).toBe(S3_OUTPUT_CONFIG);
  });

  test('the configuration is one Fluent Bit s3 output reading every setting from the router\'s environment', () => {
    const lines = S3_OUTPUT_CONFIG.trim().split('\n').map(l => l.trim().split(/\s+/));
    expect(lines[0]).toEqual(['[OUTPUT]']);
    const settings = Object.fromEntries(lines.slice(1).map(([k, ...v]) => [k, v.join(' ')]));
    expect(settings).toEqual({
      Name: 's3',
      Match: '${FIRELENS_S3_MATCH}',
      bucket: '${FIRELENS_S3_BUCKET}',
      region: '${FIRELENS_S3_REGION}',
      // Fluent Bit refuses a key format without a leading '/', which is not part of the key.
      s3_key_format: '/${FIRELENS_S3_KEY_PREFIX}$TAG/%Y/%m/%d/%H-%M-%S-$UUID.gz',
      compression: 'gzip',
      use_put_object: 'On',
      total_file_size: '1M',
      upload_timeout: '1m',
    });
  });

  test('gives the task role the log group writes, PutObject under the prefix, the key\'s data keys and the configuration download, nothing more', () => {
    const statements = roleStatements(template, 'OrdersTaskDefTaskRole');
    expect(statements.map(s => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      's3:PutObject',
      'kms:GenerateDataKey',
      's3:GetObject',
      's3:GetBucketLocation',
    ]);
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup), 'Arn'] });
    expect(statements[1].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket), 'Arn'] }, '/logs/orders/*']] });
    expect(statements[2].Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
    expect(JSON.stringify(statements[3].Resource)).toMatch(/cdk-hnb659fds-assets-.*\/[0-9a-f]{64}\.conf/);
    expect(JSON.stringify(statements[4].Resource)).not.toContain('/');
  });

  test('leaves no unacknowledged cdk-nag finding on what the service creates', () => {
    // The test's own archive bucket has no access logging (AwsSolutions-S1); that is the fixture.
    expect(nagFindings(stack.node.root as App).filter(f => !f.resources.every(r => r.startsWith('Test/Archive/')))).toEqual([]);
  });

  test('fits the IAM model', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('Sidecar.fireLens({ parseJson: true })', () => {
  test('includes the image\'s parse-json.conf in the FireLens configuration, keeping the ECS metadata', () => {
    const { template } = build({ sidecars: [Sidecar.fireLens({ parseJson: true })] });
    expect(containers(template)['log-router'].FirelensConfiguration).toEqual({
      Type: 'fluentbit',
      Options: { 'enable-ecs-log-metadata': 'true', 'config-file-type': 'file', 'config-file-value': '/fluent-bit/configs/parse-json.conf' },
    });
  });

  test('is off by default: the FireLens configuration has no options', () => {
    const { template } = build({ sidecars: [Sidecar.fireLens({ parseJson: false })] });
    expect(containers(template)['log-router'].FirelensConfiguration).toEqual({ Type: 'fluentbit' });
  });
});

describe('Sidecar.fireLens() S3 configuration asset', () => {
  test('is one object for every service and synth: its key is the hash of the same content', () => {
    const configOf = () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Archive');
      const { template } = build({ sidecars: [Sidecar.fireLens({ s3: { bucket } })] }, stack);
      return JSON.stringify(containers(template)['log-router'].Environment.find((e: any) => e.Name === 'aws_fluent_bit_init_s3_1').Value);
    };
    expect(configOf()).toBe(configOf());
  });
});

describe('Sidecar.fireLens() S3 defaults', () => {
  test('the key prefix is the service name, and a bucket without a key gets no kms grant', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Archive', { enforceSSL: true });
    const { template } = build({ sidecars: [Sidecar.fireLens({ s3: { bucket } })] }, stack);
    const env = Object.fromEntries(containers(template)['log-router'].Environment.map((e: any) => [e.Name, e.Value]));
    expect(env.FIRELENS_S3_KEY_PREFIX).toBe('orders/');
    const statements = roleStatements(template, 'OrdersTaskDefTaskRole');
    expect(statements.map(s => s.Action)).not.toContain('kms:GenerateDataKey');
    expect(JSON.stringify(statements.find(s => s.Action === 's3:PutObject').Resource)).toContain('/orders/*');
  });

  test('an image and sizes of the user\'s own', () => {
    const { template } = build({
      memoryLimitMiB: 1024,
      sidecars: [Sidecar.fireLens({ image: ecs.ContainerImage.fromRegistry('example.com/fluent-bit:1'), containerName: 'router', memoryLimitMiB: 256, cpu: 64 })],
    });
    const c = containers(template);
    expect(c.router).toMatchObject({ Image: 'example.com/fluent-bit:1', Memory: 256, Cpu: 64 });
    expect(c.orders.Memory).toBe(1024 - 256);
    expect(c.orders.DependsOn).toEqual([{ ContainerName: 'router', Condition: 'START' }]);
  });
});

describe('Sidecar.fireLens() fails when', () => {
  const bucket = (prefix: string) => {
    const stack = newStack();
    return () => create({ sidecars: [Sidecar.fireLens({ s3: { bucket: new s3.Bucket(stack, 'Archive'), keyPrefix: prefix } })] }, stack);
  };

  test.each([
    ['/logs/', 'a leading slash'],
    ['logs', 'no trailing slash'],
    ['logs/$TAG/', 'Fluent Bit key-format syntax'],
    ['logs/%Y/', 'a time format'],
    ['', 'nothing'],
  ])('the key prefix (%s) has %s', prefix => {
    expect(bucket(prefix)).toThrow(/sidecars\[0\]\.s3\.keyPrefix \('.*'\) is not path segments of letters, digits and !-_\.\*'\(\) each ending with \/: use a prefix such as 'logs\/orders\/'/);
  });

  test('a task has two log routers', () => {
    expect(() => create({ memoryLimitMiB: 1024, sidecars: [Sidecar.fireLens(), Sidecar.fireLens({ containerName: 'router-2' })] }))
      .toThrow(/sidecars has 2 FireLens log routers \('log-router', 'router-2'\): a task has at most one container with a FireLens configuration; keep one/);
  });

  test('the application listens on FireLens\'s port 24224', () => {
    expect(() => create({ containerPort: 24224, sidecars: [Sidecar.fireLens()] }))
      .toThrow(/sidecars\[0\] \('log-router'\) listens on port 24224, as does the application container \(containerPort 24224\)/);
  });
});

describe('Sidecar.fireLens() accepts', () => {
  test('a key prefix of several segments with the safe special characters', () => {
    const stack = newStack();
    expect(() => create({ sidecars: [Sidecar.fireLens({ s3: { bucket: new s3.Bucket(stack, 'Archive'), keyPrefix: "app_logs/orders-v1.(eu)!*'/" } })] }, stack)).not.toThrow();
  });
});
