import { codeCommitNameProblem } from '../../src/private/codecommit-name';

describe('CodeCommit repository names', () => {
  test.each(['orders', 'orders-service', 'Orders.Service_2', 'x'.repeat(100)])('accepts %s', name => {
    expect(codeCommitNameProblem(name)).toBeUndefined();
  });

  test.each([
    ['', /is not 1-100/],
    ['orders service', /is not 1-100/],
    ['my-org/orders', /is not 1-100/],
    ['x'.repeat(101), /is not 1-100/],
    ['orders.git', /ends in '\.git'/],
  ])('fails when the name is %j', (name, message) => {
    expect(codeCommitNameProblem(name)).toMatch(message);
  });
});
