import { emailProblem } from '../../src/private/email-address';

describe('email addresses', () => {
  test.each(['ops@example.com', 'first.last+alerts@sub.example.co.uk', 'o\'brien@example.ie', 'x@example-1.io'])('accepts %s', address => {
    expect(emailProblem(address)).toBeUndefined();
  });

  test.each([
    ['ops.example.com', /is not an email address/],
    ['@example.com', /is not an email address/],
    ['ops@', /is not an email address/],
    ['a@example.com,b@example.com', /is not one email address/],
    ['Ops <ops@example.com>', /is not one email address/],
    ['ops @example.com', /is not one email address/],
    ['.ops@example.com', /local part/],
    ['o..ps@example.com', /local part/],
    ['ops@example', /domain 'example'/],
    ['ops@example.c', /domain 'example.c'/],
    ['ops@-example.com', /domain '-example.com'/],
    ['ops@example..com', /domain 'example..com'/],
  ])('fails when the address is %j', (address, message) => {
    expect(emailProblem(address)).toMatch(message);
  });
});
