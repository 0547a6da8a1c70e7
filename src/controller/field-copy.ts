import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepCopy } from '../kube/safe-object.js';
import type { FieldCopy } from './binding.js';
import { getPath, parseObjectPath, setPath } from '../kube/object-path.js';
import type { PathSegment } from '../kube/object-path.js';

/**
 * Field copies between objects: the spec template (source -> CR spec) and
 * status reflection (CR -> source status). Paths are field paths
 * (docs/paths.md) that parseBinding checked; values are deep-copied and set
 * as own keys so user keys like `__proto__` stay data.
 */

function segments(path: string): readonly PathSegment[] {
  return parseObjectPath(path).segments;
}

/** renderSpec builds the CR spec from the source: missing source fields are left out. */
export function renderSpec(source: JsonObject, copies: FieldCopy[]): JsonObject {
  const spec: JsonObject = {};
  for (const { from, to } of copies) {
    const value = getPath(source, segments(from));
    if (value !== undefined) setPath(spec, segments(to), deepCopy(value));
  }
  return spec;
}

/** ReflectedField is one source field with the value the CR says it should have (undefined = absent). */
export interface ReflectedField {
  path: string;
  desired: JsonValue | undefined;
  current: JsonValue | undefined;
}

/**
 * omitEmpty maps an empty list or map to absence, as the apiserver stores
 * built-in types: their fields are `omitempty`, so a Service cannot hold
 * `status.loadBalancer.ingress: []` and reads back without the field.
 * Comparing `[]` with that absence would make a write that never sticks.
 */
export function omitEmpty(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (isJsonObject(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

/**
 * reflectStatus pairs every reflected source field with its desired value
 * from the CR (absence when the CR is missing); empty lists and maps count
 * as absent on both sides (see omitEmpty).
 */
export function reflectStatus(source: JsonObject, claim: JsonObject | undefined, copies: FieldCopy[]): ReflectedField[] {
  return copies.map(({ from, to }) => ({
    path: to,
    desired: claim ? omitEmpty(getPath(claim, segments(from))) : undefined,
    current: omitEmpty(getPath(source, segments(to))),
  }));
}

/**
 * mergePatchFor builds a JSON merge patch that sets each path to its desired
 * value (null deletes it). Merge patches replace arrays whole, which is what
 * status lists such as `loadBalancer.ingress` need.
 */
export function mergePatchFor(fields: ReflectedField[]): JsonObject {
  const patch: JsonObject = {};
  for (const f of fields) setPath(patch, segments(f.path), f.desired === undefined ? null : deepCopy(f.desired));
  return patch;
}
