import { connectionArnProblem } from '../../src/private/connection-arn';

const ID = '0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

describe('CodeConnections connection ARNs', () => {
  test.each([
    `arn:aws:codeconnections:eu-west-1:111111111111:connection/${ID}`,
    `arn:aws:codestar-connections:us-east-1:111111111111:connection/${ID}`,
    `arn:aws-cn:codeconnections:cn-north-1:111111111111:connection/${ID}`,
    `arn:aws-us-gov:codestar-connections:us-gov-west-1:111111111111:connection/${ID.toUpperCase()}`,
    'arn:aws:codestar-connections:us-west-2:111111111111:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f',
  ])('accepts %s', arn => {
    expect(connectionArnProblem(arn)).toBeUndefined();
  });

  test.each([
    ['not-an-arn', /is not an ARN of six colon-separated parts/],
    [`arn:azure:codeconnections:eu-west-1:111111111111:connection/${ID}`, /partition 'azure'/],
    [`arn:aws:codestar:eu-west-1:111111111111:connection/${ID}`, /ARN of 'codestar'/],
    [`arn:aws:codeconnections:europe:111111111111:connection/${ID}`, /region 'europe'/],
    [`arn:aws:codeconnections:eu-west-1:11111111111:connection/${ID}`, /account '11111111111', which is not 12 digits/],
    ['arn:aws:codeconnections:eu-west-1:111111111111:connection', /ends in 'connection', but a connection ARN ends in 'connection\/<id>'/],
    [`arn:aws:codeconnections:eu-west-1:111111111111:host/${ID}`, /ends in 'host\//],
    ['arn:aws:codeconnections:eu-west-1:111111111111:connection/my-connection', /connection id 'my-connection', which does not have a UUID's shape/],
    ['arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d', /connection id '0a1b2c3d'/],
  ])('fails when the ARN is %s', (arn, message) => {
    expect(connectionArnProblem(arn)).toMatch(message);
  });
});
