import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { build, create } from './builder';
import { newStack } from '../util';

describe('the environment check fails when', () => {
  test('a variable is both in environment and in secrets', () => {
    const stack = newStack();
    const secret = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', '/x'));
    expect(() => create({ environment: { TOKEN: 'x' }, secrets: { TOKEN: secret } }, stack)).toThrow(/'TOKEN' is both in environment and in secrets/);
  });

  test('a variable named like a credential has a literal value', () => {
    for (const name of ['SECRET_KEY', 'DB_PASSWORD', 'db_passwd', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'TLS_PRIVATE_KEY', 'AWS_CREDENTIALS']) {
      expect(() => create({ environment: { [name]: 'hunter2' } }))
        .toThrow(new RegExp(`environment variable '${name}' looks like a credential and has a literal value.*pass it through secrets, for example secrets: \\{ ${name}: ecs.Secret.fromSecretsManager\\(secret, 'password'\\) \\}`));
    }
  });

  test('a URL carries a password, literal or from a token', () => {
    expect(() => create({ environment: { DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/app' } }))
      .toThrow(/environment variable 'DATABASE_URL' has a password in a URL \(scheme:\/\/user:password@host\).*secrets: \{ DATABASE_PASSWORD: ecs.Secret.fromSecretsManager\(secret, 'password'\) \}/);
    expect(() => create({ environment: { JDBC: 'jdbc:postgresql://app:hunter2@db/app' } })).toThrow(/'JDBC' has a password in a URL/);
    expect(() => create({ environment: { CACHE: 'redis://:hunter2@cache:6379' } })).toThrow(/'CACHE' has a password in a URL/);
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => create({ environment: { DATABASE_URL: `postgres://app:${table.tableName}@db/app` } }, stack)).toThrow(/'DATABASE_URL' has a password in a URL/);
  });
});

describe('the environment check accepts', () => {
  test('tokens, references to secrets, empty values and URLs without a password', () => {
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const { template } = build({
      environment: {
        TABLE_NAME: table.tableName,
        SECRET_TABLE: table.tableArn,
        DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf',
        API_KEY_NAME: 'orders/api-key',
        TOKEN_ID: 'orders',
        PASSWORD_FILE: '/run/secrets/db',
        SESSION_SECRET: '',
        BACKEND_URL: 'http://backend.svc.internal:8080',
        DOCS_URL: 'https://user@example.com/docs',
      },
    }, stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'DB_SECRET_ARN', Value: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf' },
          { Name: 'PASSWORD_FILE', Value: '/run/secrets/db' },
          { Name: 'DOCS_URL', Value: 'https://user@example.com/docs' },
        ]),
      })],
    });
  });

  test('a credential in secrets only, beside the plain variables that locate it', () => {
    const stack = newStack();
    const secret = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', '/orders/db-password'));
    const { template } = build({ environment: { DB_HOST: 'db.internal', DB_USER: 'app' }, secrets: { DB_PASSWORD: secret } }, stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: [{ Name: 'DB_HOST', Value: 'db.internal' }, { Name: 'DB_USER', Value: 'app' }],
        Secrets: [Match.objectLike({ Name: 'DB_PASSWORD' })],
      })],
    });
  });
});

describe('variable names', () => {
  test('fails when an environment variable name has a space, an equals sign or is empty', () => {
    expect(() => create({ environment: { 'LOG LEVEL': 'debug' } }))
      .toThrow("Test/Orders: environment variable name ('LOG LEVEL') has '=', whitespace or a control character, which a variable name cannot have: use letters, digits and underscores");
    expect(() => create({ environment: { 'LOG_LEVEL=debug': 'x' } })).toThrow(/environment variable name \('LOG_LEVEL=debug'\)/);
    expect(() => create({ environment: { '': 'x' } })).toThrow(/environment variable name \(''\) is empty/);
  });

  test('fails when a secret variable name is empty', () => {
    const stack = newStack();
    const secret = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', '/x'));
    expect(() => create({ secrets: { '': secret } }, stack)).toThrow(/Test\/Orders: secrets variable name \(''\) is empty/);
  });

  test('accepts a name a shell cannot read, with a warning', () => {
    const { stack } = build({ environment: { 'spring.profiles.active': 'prod', 'LOG_LEVEL': 'info' } });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('variableName'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining("environment variable name ('spring.profiles.active') is not a shell identifier")]);
  });
});
