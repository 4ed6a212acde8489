import { repositoryIdProblem } from '../../src/private/repository-id';

describe('repository identifiers (owner/name)', () => {
  test.each(['my-org/orders-service', 'octocat/Hello-World', 'me/my.repo_2'])('accepts %s', id => {
    expect(repositoryIdProblem(id)).toBeUndefined();
  });

  test.each([
    ['https://github.com/my-org/orders.git', /is a clone URL/],
    ['git@github.com:my-org/orders.git', /is a clone URL/],
    ['my-org/orders.git', /is a clone URL/],
    ['orders', /has 1 part, but it must be owner\/name/],
    ['a/b/c', /has 3 parts/],
    ['my org/orders', /has 'my org'/],
    ['my-org/', /has ''/],
    ['./orders', /has '\.'/],
  ])('fails when the repository is %s', (id, message) => {
    expect(repositoryIdProblem(id)).toMatch(message);
  });
});
