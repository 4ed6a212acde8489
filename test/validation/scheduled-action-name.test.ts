import { scheduledActionNameProblem } from '../../src/private/scheduled-action-name';

describe('scheduled action names', () => {
  test.each(['business-hours', 'Scale out at 8', 'night_1', 'x'.repeat(256)])('accepts %s', name => {
    expect(scheduledActionNameProblem(name)).toBeUndefined();
  });

  test.each([
    ['', /1-256 characters/],
    ['x'.repeat(257), /1-256 characters/],
    ['scale:morning', /':', '\/', '\|'/],
    ['scale/morning', /':', '\/', '\|'/],
    ['scale|morning', /':', '\/', '\|'/],
    [' morning', /starts or ends with a space/],
    ['morning ', /starts or ends with a space/],
  ])('fails when the name is %j', (name, message) => {
    expect(scheduledActionNameProblem(name)).toMatch(message);
  });
});
