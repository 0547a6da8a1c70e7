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

/**
 * createPolicyIndex indexes policies by `group/Kind` and by
 * `group/resource` from their resource matchers; matchers with a wildcard
 * group, or wildcards in both kinds and resources, go to a short list every
 * request checks. A request then costs the policies of its own kind (plus
 * the wildcard ones), whatever the total.
 */
export function createPolicyIndex(policies: readonly CompiledPolicy[]): PolicyIndex {
  const byKind = new Map<string, CompiledPolicy[]>();
  const byResource = new Map<string, CompiledPolicy[]>();
  const wildcard: CompiledPolicy[] = [];
  for (const policy of policies) {
    let isWildcard = false;
    for (const match of policy.match.resources) {
      if (isWild(match.apiGroups)) isWildcard = true;
      else if (!isWild(match.kinds)) for (const g of match.apiGroups) for (const k of match.kinds ?? []) push(byKind, `${g}/${k}`, policy);
      else if (!isWild(match.resources)) for (const g of match.apiGroups) for (const r of match.resources ?? []) push(byResource, `${g}/${r}`, policy);
      else isWildcard = true;
    }
    if (isWildcard) wildcard.push(policy);
  }
  return {
    size: policies.length,
    candidates(request) {
      const lists = [
        byKind.get(`${request.kind.group}/${request.kind.kind}`),
        byResource.get(`${request.resource.group}/${request.resource.resource}`),
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
