/**
 * Ordering of resourceVersions. The API calls them opaque, but every
 * kube-apiserver backed by etcd hands out etcd revisions: decimal integers
 * that grow with every write, across all resources, and survive apiserver
 * restarts. client-go's mutation cache compares them as integers on the same
 * assumption (NewIntegerResourceVersionMutationCache); so does this module.
 * A version that is not a decimal integer cannot be ordered: callers then
 * fall back to "the newest arrival wins".
 */

const DECIMAL = /^(0|[1-9][0-9]{0,30})$/;

/** parseResourceVersion returns the revision as a bigint, or undefined when it is not a decimal integer. */
export function parseResourceVersion(rv: string): bigint | undefined {
  return DECIMAL.test(rv) ? BigInt(rv) : undefined;
}

/**
 * compareResourceVersions returns -1, 0 or 1 as `a` is older than, equal to
 * or newer than `b`, and undefined when either cannot be ordered.
 */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const x = parseResourceVersion(a);
  const y = parseResourceVersion(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** isOlderResourceVersion tells whether `candidate` is known to be strictly older than `current`. */
export function isOlderResourceVersion(candidate: string, current: string): boolean {
  return compareResourceVersions(candidate, current) === -1;
}

/** isNotNewerResourceVersion tells whether `candidate` is known to be older than or equal to `current`. */
export function isNotNewerResourceVersion(candidate: string, current: string): boolean {
  const order = compareResourceVersions(candidate, current);
  return order === -1 || order === 0;
}
