import type { CompiledPolicy } from './compile-policy.js';
import type { PolicyRequest } from './outcome.js';

/** PolicyIndex finds the policies that may apply to a request without looking at the others. */
export interface PolicyIndex {
  readonly size: number;
  /** candidates returns, in load order, every policy whose resource matchers could cover the request. */
  candidates(request: PolicyRequest): readonly CompiledPolicy[];
}

const isWild = (list: readonly string[] | undefined) => list === undefined || list.includes('*');

function push(map: Map<string, CompiledPolicy[]>, key: string, policy: CompiledPolicy): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [policy]);
  else if (list[list.length - 1] !== policy) list.push(policy);
}

/** Bucket holds the policies of one index key, split by whether `namespaces.names` limits them. */
interface Bucket {
  all: CompiledPolicy[];
  anyNamespace: CompiledPolicy[];
  byNamespace: Map<string, CompiledPolicy[]>;
}

function pushBucket(map: Map<string, Bucket>, key: string, policy: CompiledPolicy): void {
  let bucket = map.get(key);
  if (bucket === undefined) {
    bucket = { all: [], anyNamespace: [], byNamespace: new Map() };
    map.set(key, bucket);
  }
  if (bucket.all[bucket.all.length - 1] === policy) return;
  bucket.all.push(policy);
  const names = policy.match.namespaceNames;
  if (names === undefined) bucket.anyNamespace.push(policy);
  else for (const name of names) push(bucket.byNamespace, name, policy);
}

/** bucketLists returns the lists of a bucket that may apply in `namespace` (all of them for a cluster-scoped request, which namespaces don't filter). */
function bucketLists(bucket: Bucket | undefined, namespace: string | undefined): (CompiledPolicy[] | undefined)[] {
  if (bucket === undefined) return [];
  if (!namespace) return [bucket.all];
  return [bucket.anyNamespace, bucket.byNamespace.get(namespace)];
}

/**
 * createPolicyIndex indexes policies by `group/Kind` and by
 * `group/resource` from their resource matchers; matchers with a wildcard
 * group, or wildcards in both kinds and resources, go to a short list every
 * request checks. Within a kind, policies limited to named namespaces are
 * filed under each name. A request then costs the policies of its own kind
 * and namespace (plus the wildcard ones), whatever the total.
 */
export function createPolicyIndex(policies: readonly CompiledPolicy[]): PolicyIndex {
  const byKind = new Map<string, Bucket>();
  const byResource = new Map<string, Bucket>();
  const wildcard: CompiledPolicy[] = [];
  for (const policy of policies) {
    let isWildcard = false;
    for (const match of policy.match.resources) {
      if (isWild(match.apiGroups)) isWildcard = true;
      else if (!isWild(match.kinds)) for (const g of match.apiGroups) for (const k of match.kinds ?? []) pushBucket(byKind, `${g}/${k}`, policy);
      else if (!isWild(match.resources)) for (const g of match.apiGroups) for (const r of match.resources ?? []) pushBucket(byResource, `${g}/${r}`, policy);
      else isWildcard = true;
    }
    if (isWildcard) wildcard.push(policy);
  }
  return {
    size: policies.length,
    candidates(request) {
      const lists = [
        ...bucketLists(byKind.get(`${request.kind.group}/${request.kind.kind}`), request.namespace),
        ...bucketLists(byResource.get(`${request.resource.group}/${request.resource.resource}`), request.namespace),
        wildcard,
      ].filter((l): l is CompiledPolicy[] => l !== undefined && l.length > 0);
      if (lists.length === 0) return [];
      if (lists.length === 1) return lists[0] as CompiledPolicy[];
      const merged = new Set<CompiledPolicy>();
      for (const list of lists) for (const p of list) merged.add(p);
      return [...merged].sort((a, b) => a.order - b.order);
    },
  };
}
