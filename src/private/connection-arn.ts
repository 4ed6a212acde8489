/**
 * The ARN of an AWS CodeConnections connection: `arn:<partition>:codeconnections:<region>:<account>:connection/<id>`,
 * or `codestar-connections` for connections created before the service's rename ("Connections
 * rename - Summary of changes", https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html).
 * The id has a UUID's shape (AWS's own examples use letters beyond hex, such as `aEXAMPLE-8aad-…`).
 */

export const CONNECTION_ARN_FIX = "copy the connection's ARN from Developer Tools > Settings > Connections, such as 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab'";

const UUID = /^[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}$/i;

/** What is wrong with a connection ARN, or undefined. */
export function connectionArnProblem(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return 'is not an ARN of six colon-separated parts';
  }
  const [, partition, service, region, account, resource] = parts;
  if (!/^aws(-[a-z]+)*$/.test(partition)) {
    return `has partition '${partition}', which is not an AWS partition such as 'aws'`;
  }
  if (service !== 'codeconnections' && service !== 'codestar-connections') {
    return `is an ARN of '${service}', not of a CodeConnections connection`;
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    return `has region '${region}', which is not a region such as 'eu-west-1'`;
  }
  if (!/^\d{12}$/.test(account)) {
    return `has account '${account}', which is not 12 digits`;
  }
  const [type, id, ...rest] = resource.split('/');
  if (type !== 'connection' || id === undefined || rest.length > 0) {
    return `ends in '${resource}', but a connection ARN ends in 'connection/<id>'`;
  }
  if (!UUID.test(id)) {
    return `has connection id '${id}', which does not have a UUID's shape (8-4-4-4-12 characters)`;
  }
  return undefined;
}
