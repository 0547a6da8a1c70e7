import { createHash } from 'node:crypto';

/**
 * The name rule for cluster-scoped CRs that stand for namespaced objects:
 * `<namespace>.<name>`. Namespaces cannot contain dots, so the first dot
 * splits the pair unambiguously and distinct sources get distinct names. When
 * the result is too long, or characters had to be replaced to make a valid
 * DNS subdomain, a hash of the original pair is appended, keeping the name
 * deterministic and collision-free in practice.
 */

const HASH_LEN = 10;

function sanitize(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/(^|\.)[-.]+/g, '$1')
    .replace(/[-.]+(\.|$)/g, '$1');
}

function trimEnd(s: string): string {
  return s.replace(/[^a-z0-9]+$/, '');
}

/** isDnsSubdomain tells whether s is a valid RFC 1123 subdomain (lowercase, ≤253, dot-separated labels of ≤63). */
export function isDnsSubdomain(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  return s.split('.').every((label) => label.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label));
}

/**
 * claimName returns the CR name for source `namespace/name`, at most maxLength
 * (default 253) characters and always a valid DNS subdomain.
 */
export function claimName(namespace: string, name: string, maxLength = 253): string {
  const plain = namespace ? `${namespace}.${name}` : name;
  const clean = sanitize(plain);
  if (clean === plain && clean.length <= maxLength && isDnsSubdomain(clean)) return clean;
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, HASH_LEN);
  const room = maxLength - HASH_LEN - 1;
  // Labels inside a subdomain are limited to 63: cut long ones so the result stays valid.
  const labels = trimEnd(clean.slice(0, room)).split('.').map((l) => trimEnd(l.slice(0, 63)));
  const head = labels.filter((l) => l !== '').join('.');
  const lastLabel = labels[labels.length - 1] ?? '';
  const sep = head === '' ? '' : lastLabel.length + 1 + HASH_LEN <= 63 ? '-' : '.';
  return `${head}${sep}${hash}`;
}
