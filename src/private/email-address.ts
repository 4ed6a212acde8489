/**
 * Email addresses for SNS email subscriptions: one address, `local@domain`, with a domain of DNS
 * labels and a top-level domain, so that the confirmation mail SNS sends first can arrive. Lists in
 * one string ("a@x.com,b@x.com") and display names ("Ops <ops@x.com>") are refused: SNS takes one
 * address per subscription.
 */

export const EMAIL_FIX = 'give one address per entry, in the form name@example.com';

/** What is wrong with an email address, or undefined. */
export function emailProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) {
    return 'is not an email address';
  }
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (/[\s,;<>()"]/.test(address) || local.includes('@')) {
    return 'is not one email address';
  }
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'has a local part (before @) that is not valid';
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every(l => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) || !/^[A-Za-z]{2,}$/.test(labels[labels.length - 1])) {
    return `has domain '${domain}', which is not a domain name with a top-level domain`;
  }
  return undefined;
}
