/**
 * Git branch names, as `git check-ref-format --branch` accepts them
 * (https://git-scm.com/docs/git-check-ref-format), and as branch names only: CodePipeline's
 * connection and CodeCommit sources take `main`, never `refs/heads/main`.
 */

export const BRANCH_FIX = "give the branch's name as git shows it, such as 'main' or 'release/1.2'";

/** What is wrong with a branch name, or undefined. */
export function branchProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'is empty';
  }
  if (name.startsWith('refs/')) {
    return 'is a full ref, but the source takes the branch name alone';
  }
  // eslint-disable-next-line no-control-regex
  const illegal = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (illegal) {
    return `has ${illegal[0] === ' ' ? 'a space' : /\s|[\x00-\x1f\x7f]/.test(illegal[0]) ? 'a control character' : `'${illegal[0]}'`}, which git does not allow in a branch name`;
  }
  if (name.includes('..') || name.includes('@{') || name.includes('//')) {
    return "has '..', '@{' or '//', which git does not allow in a branch name";
  }
  if (name === '@' || name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) {
    return "must not be '@', start with '-' or '/', or end with '/' or '.'";
  }
  if (name.split('/').some(part => part.startsWith('.') || part.endsWith('.lock'))) {
    return "has a part that starts with '.' or ends with '.lock', which git does not allow";
  }
  return undefined;
}
