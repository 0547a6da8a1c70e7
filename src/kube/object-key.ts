import type { JsonObject } from './types.js';
import { nameOf, namespaceOf } from './object-meta.js';

/** objectKey is client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: JsonObject): string {
  const ns = namespaceOf(obj);
  return ns ? `${ns}/${nameOf(obj)}` : nameOf(obj);
}

/** splitKey parses a key made by objectKey back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
