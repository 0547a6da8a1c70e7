import { setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { ConversionError } from './conversion-error.js';
import type { KeyPath } from '../kube/object-path.js';

/**
 * SpokeConverter converts one non-hub version of a kind to and from the hub
 * version. Both functions return a new object and never modify their input
 * (declarative mappings work on a copy; code modules get a copy); they may
 * throw ConversionError. apiVersion, kind and metadata (except labels and
 * annotations) are fixed up afterwards, so a converter needs to touch only
 * the fields that differ.
 */
export interface SpokeConverter {
  toHub(object: JsonObject): JsonObject;
  fromHub(object: JsonObject): JsonObject;
  /** inputs tells, per direction, which source fields a result field is computed from; absent when unknown (code modules). */
  inputs?: { toHub: InputsFunction; fromHub: InputsFunction };
}

/**
 * InputsFunction returns the fields of a mapping's source that its result's
 * field at `target` is computed from (the field itself, which passes
 * through when no rule names it, included), or undefined when that can't be
 * known.
 */
export type InputsFunction = (target: KeyPath) => KeyPath[] | undefined;

/** KindConverter converts objects of one group/kind between its versions, spoke -> hub -> spoke. */
export interface KindConverter {
  readonly group: string;
  readonly kind: string;
  /** hub is the version every conversion passes through. */
  readonly hub: string;
  /** versions lists the hub and every spoke. */
  readonly versions: readonly string[];
  /**
   * convert returns object (in version `from`) converted to version `to`,
   * with apiVersion `group/to`, the original kind and the original metadata
   * except labels and annotations. Versions are assumed to differ and to be
   * known (see `versions`). object is not modified; throws ConversionError.
   */
  convert(object: JsonObject, from: string, to: string): JsonObject;
  /**
   * inputsOf returns the fields of a `from`-version object that the field
   * at `target` of its `to`-version conversion is computed from, or
   * undefined when a converter on the way can't tell.
   */
  inputsOf(from: string, to: string, target: KeyPath): KeyPath[] | undefined;
}

/** KindConverterOptions configures createKindConverter. */
export interface KindConverterOptions {
  group: string;
  kind: string;
  hub: string;
  /** spokes maps each non-hub version to its converter. */
  spokes: Readonly<Record<string, SpokeConverter>>;
}

/** createKindConverter returns the KindConverter of a hub and its spokes. */
export function createKindConverter(options: KindConverterOptions): KindConverter {
  const { group, kind, hub } = options;
  const spokes = new Map(Object.entries(options.spokes));
  if (spokes.has(hub)) throw new Error(`createKindConverter: hub ${hub} can't also be a spoke`);
  const spokeOf = (version: string): SpokeConverter => {
    const spoke = spokes.get(version);
    if (!spoke) throw new ConversionError({ field: 'apiVersion', message: `version ${JSON.stringify(version)} of ${group}/${kind} has no converter (known: ${[hub, ...spokes.keys()].join(', ')})` });
    return spoke;
  };
  return {
    group,
    kind,
    hub,
    versions: [hub, ...spokes.keys()],
    convert(object, from, to) {
      const originalKind = object['kind'];
      const originalMetadata = object['metadata'];
      // from !== to, so at least one spoke step runs and `current` is never `object`.
      let current = object;
      if (from !== hub) {
        current = checked(spokeOf(from).toHub(current), `${from} -> ${hub}`);
        current['apiVersion'] = `${group}/${hub}`;
      }
      if (to !== hub) current = checked(spokeOf(to).fromHub(current), `${hub} -> ${to}`);
      current['apiVersion'] = `${group}/${to}`;
      current['kind'] = originalKind as string;
      restoreMetadata(current, originalMetadata);
      return current;
    },
    inputsOf(from, to, target) {
      const hubFields = to === hub ? [target] : spokeOf(to).inputs?.fromHub(target);
      if (from === hub || hubFields === undefined) return hubFields;
      const toHub = spokeOf(from).inputs?.toHub;
      if (toHub === undefined) return undefined;
      const out: KeyPath[] = [];
      for (const field of hubFields) {
        const inputs = toHub(field);
        if (inputs === undefined) return undefined;
        out.push(...inputs);
      }
      return out;
    },
  };
}

/**
 * restoreMetadata puts back the original metadata except labels and
 * annotations, which are the converter's (protocol.md §2.2 rule 7: the
 * apiserver takes only those two from the response).
 */
export function restoreMetadata(target: JsonObject, original: JsonObject['metadata'] | undefined): void {
  const converted = isJsonObject(target['metadata']) ? target['metadata'] : {};
  const metadata: JsonObject = {};
  if (isJsonObject(original)) {
    for (const key of Object.keys(original)) {
      if (key === 'labels' || key === 'annotations') continue;
      setOwn(metadata, key, original[key] as JsonValue);
    }
  }
  // Copied, so that adding the conversion-data annotation later can't reach
  // into an input object a converter shared its maps with.
  for (const key of ['labels', 'annotations']) {
    const map = converted[key];
    if (map !== undefined) metadata[key] = isJsonObject(map) ? { ...map } : map;
  }
  target['metadata'] = metadata;
}

function checked(value: unknown, step: string): JsonObject {
  if (!isJsonObject(value)) throw new ConversionError({ message: `converter ${step} returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object` });
  return value;
}
