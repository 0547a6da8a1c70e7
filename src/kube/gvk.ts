import type { GroupVersionKind } from './types.js';

/** gvkKey returns the canonical `group/version/kind` string of a GVK ("" group kept). */
export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** groupKindKey returns `group/kind`, the key of a kind across its versions. */
export function groupKindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** apiVersionOf joins group and version the way objects spell apiVersion ("v1" for core). */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** parseApiVersion splits an apiVersion string into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
