import { Annotations, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { checkGrammar, fail } from '../private/validation';
import { isShellIdentifier, VARIABLE_NAME_FIX, variableNameProblem } from '../private/variable-name';

/** Environment variable names that say they hold a credential. */
const CREDENTIAL_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;
/** Names that say they point at a secret (its ARN, name, ID or a mounted file) rather than hold it. */
const SECRET_REFERENCE_NAME = /_(ARN|NAME|ID|FILE)$/i;
/** `scheme://user:password@` anywhere in the value, such as `postgres://app:hunter2@db/app`; the user may be empty. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;

/**
 * Rule: no credential in a plain environment variable, and no variable both plain and secret.
 *
 * Plain variables end up in clear text in the task definition, the template and every
 * `DescribeTaskDefinition` answer. Values that are tokens (a table name, a secret's ARN) are
 * references resolved at deploy time, not credentials written into the code.
 */
export function checkEnvironment(scope: IConstruct, environment: Record<string, string>, secrets: Record<string, ecs.Secret>): void {
  checkVariableNames(scope, 'environment', Object.keys(environment));
  checkVariableNames(scope, 'secrets', Object.keys(secrets));
  for (const name of Object.keys(secrets)) {
    if (name in environment) {
      fail(scope, `'${name}' is both in environment and in secrets: keep it in secrets only`);
    }
  }
  for (const [name, value] of Object.entries(environment)) {
    if (URL_WITH_PASSWORD.test(value)) {
      fail(scope, `environment variable '${name}' has a password in a URL (scheme://user:password@host), which would be stored in clear text: pass the password through secrets, for example secrets: { DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') }, and build the URL in the application`);
    }
    if (value !== '' && !Token.isUnresolved(value) && CREDENTIAL_NAME.test(name) && !SECRET_REFERENCE_NAME.test(name)) {
      fail(scope, `environment variable '${name}' looks like a credential and has a literal value, which would be stored in clear text: pass it through secrets, for example secrets: { ${name}: ecs.Secret.fromSecretsManager(secret, 'password') }`);
    }
  }
}

/**
 * Rule: every variable name can be set in a container. A name a shell cannot read gets a warning,
 * because ECS and Docker accept it and applications that read their environment directly can use it.
 */
function checkVariableNames(scope: IConstruct, prop: 'environment' | 'secrets', names: string[]): void {
  for (const name of names) {
    checkGrammar(scope, `${prop} variable name`, name, variableNameProblem, VARIABLE_NAME_FIX);
    if (!Token.isUnresolved(name) && !isShellIdentifier(name)) {
      Annotations.of(scope).addWarningV2('cdk-ecs-devops:variableName',
        `${prop} variable name ('${name}') is not a shell identifier, so a shell or an entrypoint script cannot read it: ${VARIABLE_NAME_FIX}`);
    }
  }
}
