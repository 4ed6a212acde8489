/**
 * The `owner/name` of a repository behind an AWS CodeConnections connection (the source action's
 * `FullRepositoryId`, "CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise
 * Server, GitLab.com, and GitLab self-managed actions",
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html):
 * two parts of letters, digits, '.', '_' and '-', as the hosts allow in owners and repository names.
 */

export const REPOSITORY_ID_FIX = "use 'owner/name' as in the repository's URL, for example 'my-org/orders-service'";

/** What is wrong with a repository identifier, or undefined. */
export function repositoryIdProblem(id: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|\.git$/i.test(id)) {
    return 'is a clone URL, but the source takes the repository as owner/name';
  }
  const parts = id.split('/');
  if (parts.length !== 2) {
    return `has ${parts.length} part${parts.length === 1 ? '' : 's'}, but it must be owner/name`;
  }
  const bad = parts.find(p => !/^[A-Za-z0-9_.-]{1,100}$/.test(p) || p === '.' || p === '..');
  if (bad !== undefined) {
    return `has '${bad}', which is not an owner or repository name: 1-100 letters, digits, '.', '_' and '-'`;
  }
  return undefined;
}
