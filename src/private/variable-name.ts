/**
 * Names of container environment variables (plain and secret). Docker refuses a name with '=' or
 * an empty one, and a name with whitespace or control characters never reaches the process as
 * intended. Names that are not shell identifiers (`[A-Za-z_][A-Za-z0-9_]*`) are valid for ECS
 * and Docker but cannot be read from a shell (`$LOG-LEVEL` is `$LOG` followed by `-LEVEL`): they
 * get a warning, not an error.
 */

export const VARIABLE_NAME_FIX = 'use letters, digits and underscores, starting with a letter or underscore, such as LOG_LEVEL';

/** What makes a variable name unusable, or undefined. */
export function variableNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'is empty';
  }
  // eslint-disable-next-line no-control-regex
  if (/[=\s\x00-\x1f\x7f]/.test(name)) {
    return "has '=', whitespace or a control character, which a variable name cannot have";
  }
  return undefined;
}

/** Whether a shell can read the variable by name. */
export function isShellIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
