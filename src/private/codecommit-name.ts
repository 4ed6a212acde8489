/**
 * AWS CodeCommit repository names: 1-100 letters, digits, '.', '_' and '-', not ending in `.git`
 * ("Quotas in AWS CodeCommit", repository names,
 * https://docs.aws.amazon.com/codecommit/latest/userguide/limits.html).
 */

export const CODECOMMIT_NAME_FIX = "use 1-100 letters, digits, '.', '_' and '-', such as 'orders-service'";

/** What is wrong with a CodeCommit repository name, or undefined. */
export function codeCommitNameProblem(name: string): string | undefined {
  if (!/^[\w.-]{1,100}$/.test(name)) {
    return 'is not 1-100 letters, digits, \'.\', \'_\' and \'-\'';
  }
  if (name.toLowerCase().endsWith('.git')) {
    return "ends in '.git', which CodeCommit does not allow";
  }
  return undefined;
}
