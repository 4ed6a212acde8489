import { branchProblem } from '../../src/private/git-branch';

describe('git branch names', () => {
  test.each(['main', 'release/1.2', 'feature/ORD-42_add-items', 'v1.2.0', 'user@host'])('accepts %s', name => {
    expect(branchProblem(name)).toBeUndefined();
  });

  test.each([
    ['', /is empty/],
    ['refs/heads/main', /is a full ref/],
    ['release 1.2', /has a space/],
    ['feat\tx', /a control character/],
    ['feat:x', /has ':'/],
    ['feat~1', /has '~'/],
    ['a..b', /'\.\.'/],
    ['a@{1}', /'@\{'/],
    ['a//b', /'\/\/'/],
    ['@', /must not be '@'/],
    ['-main', /start with '-'/],
    ['/main', /start with '-' or '\/'/],
    ['main/', /end with '\/'/],
    ['main.', /or '\.'/],
    ['feature/.hidden', /starts with '\.'/],
    ['main.lock', /ends with '\.lock'/],
  ])('fails when the branch is %j', (name, message) => {
    expect(branchProblem(name)).toMatch(message);
  });
});
