import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepCopy, setOwn } from '../kube/safe-object.js';
import type { FieldCopy } from './binding.js';
import { getPath } from './object-meta.js';

/**
 * Field copies between objects: the spec template (source -> CR spec) and
 * status reflection (CR -> source status). Paths are plain dot-paths; values
 * are deep-copied with setOwn so user keys like `__proto__` stay data.
 */

function setPath(target: JsonObject, path: string, value: JsonValue): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (!isJsonObject(next)) setOwn(current, part, {});
    current = current[part] as JsonObject;
  }
  setOwn(current, parts[parts.length - 1]!, value);
}

/** renderSpec builds the CR spec from the source: missing source fields are left out. */
export function renderSpec(source: JsonObject, copies: FieldCopy[]): JsonObject {
  const spec: JsonObject = {};
  for (const { from, to } of copies) {
    const value = getPath(source, from);
    if (value !== undefined) setPath(spec, to, deepCopy(value));
  }
  return spec;
}

/** ReflectedField is one source field with the value the CR says it should have (undefined = absent). */
export interface ReflectedField {
  path: string;
  desired: JsonValue | undefined;
  current: JsonValue | undefined;
}

/** reflectStatus pairs every reflected source field with its desired value from the CR (or absence when the CR is missing). */
export function reflectStatus(source: JsonObject, claim: JsonObject | undefined, copies: FieldCopy[]): ReflectedField[] {
  return copies.map(({ from, to }) => ({
    path: to,
    desired: claim ? getPath(claim, from) : undefined,
    current: getPath(source, to),
  }));
}

/**
 * mergePatchFor builds a JSON merge patch that sets each path to its desired
 * value (null deletes it). Merge patches replace arrays whole, which is what
 * status lists such as `loadBalancer.ingress` need.
 */
export function mergePatchFor(fields: ReflectedField[]): JsonObject {
  const patch: JsonObject = {};
  for (const f of fields) setPath(patch, f.path, f.desired === undefined ? null : deepCopy(f.desired));
  return patch;
}
