/**
 * Container image references and tags, as Docker and ECR read them
 * (distribution/reference grammar, https://github.com/distribution/reference/blob/main/reference.go;
 * ECS passes the task definition's `image` to the container runtime as written): an optional
 * registry host (with port), a path of lowercase components, and an optional `:tag` and
 * `@algorithm:digest`. A tag is 1-128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.
 */

export const IMAGE_FIX = "write it as [registry/]repository[:tag][@digest] with a lowercase repository, such as 'public.ecr.aws/nginx/nginx:1.27-alpine'";
export const TAG_FIX = "use 1-128 letters, digits, '_', '.' and '-', not starting with '.' or '-', such as the commit id or 'v1.2.0'";

const COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const HOST = /^(localhost|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(:\d+)?$/;

/** What is wrong with an image tag, or undefined. */
export function tagProblem(tag: string): string | undefined {
  return TAG.test(tag) ? undefined : "is not an image tag: 1-128 letters, digits, '_', '.' and '-', not starting with '.' or '-'";
}

/** What is wrong with an image reference, or undefined. */
export function imageProblem(reference: string): string | undefined {
  if (reference.length === 0 || /\s/.test(reference)) {
    return 'is empty or has whitespace';
  }
  let rest = reference;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) {
      return `has digest '${rest.slice(at + 1)}', which is not algorithm:hex such as sha256:<64 hex digits>`;
    }
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    const tag = rest.slice(colon + 1);
    if (tagProblem(tag)) {
      return `has tag '${tag}', which ${tagProblem(tag)}`;
    }
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  // The first part is a registry host when it has a '.' or ':' or is localhost (Docker's rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) {
    const host = parts.shift()!;
    if (!HOST.test(host)) {
      return `has registry '${host}', which is not a host name with an optional port`;
    }
  }
  const bad = parts.find(p => !COMPONENT.test(p));
  if (bad !== undefined) {
    return `has '${bad}' in its repository, which must be lowercase letters and digits separated by '.', '_', '__' or '-'`;
  }
  return undefined;
}
