import { isShellIdentifier, variableNameProblem } from '../../src/private/variable-name';

describe('environment variable names', () => {
  test.each(['LOG_LEVEL', '_private', 'a1', 'LOG-LEVEL', 'spring.profiles.active'])('accepts %s', name => {
    expect(variableNameProblem(name)).toBeUndefined();
  });

  test.each([
    ['', /is empty/],
    ['LOG LEVEL', /whitespace/],
    ['LOG_LEVEL=debug', /'='/],
    ['LOG\nLEVEL', /control character|whitespace/],
  ])('fails when the name is %j', (name, message) => {
    expect(variableNameProblem(name)).toMatch(message);
  });

  test('tells shell identifiers from names a shell cannot read', () => {
    expect(['LOG_LEVEL', '_x', 'A1'].map(isShellIdentifier)).toEqual([true, true, true]);
    expect(['LOG-LEVEL', '1A', 'spring.profiles'].map(isShellIdentifier)).toEqual([false, false, false]);
  });
});
