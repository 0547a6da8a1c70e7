import { hasOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { ConversionError } from './conversion-error.js';
import type { RestorePatch } from './json-diff.js';

/** CONVERSION_DATA_ANNOTATION carries, per API version, what the object's current version has no place for. */
export const CONVERSION_DATA_ANNOTATION = 'portcullis.dev/conversion-data';

/**
 * MAX_CONVERSION_DATA_BYTES bounds the annotation: half of what the
 * apiserver allows for all annotations of an object together.
 */
export const MAX_CONVERSION_DATA_BYTES = 128 * 1024;

/** MAX_ANNOTATIONS_BYTES is the apiserver's limit for all annotation keys and values of one object (TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * ConversionEntry restores an object in one API version: the RestorePatch
 * (`set`, `remove`, by JSON pointer) plus `hash`, which maps each of those
 * pointers to the hash (field-hash.ts) of the value the converter produced
 * at that pointer when the entry was written. An entry's pointer is applied
 * only while the converter still produces that value there: once the field
 * it stands for was edited in another version, the stored copy is stale and
 * is ignored. Entries written before hashes existed have no `hash`: they
 * count as written over absent fields.
 */
export interface ConversionEntry extends RestorePatch {
  hash?: Record<string, string>;
}

/** ConversionData maps an API version (`v1beta1`) to the entry that restores the object in that version. */
export type ConversionData = Record<string, ConversionEntry>;

/** TakenConversionData is what takeConversionData found: the usable entries, and why anything else was ignored. */
export interface TakenConversionData {
  data: ConversionData;
  /** problems says, per ignored part of the annotation, why (empty when all of it was usable). */
  problems: string[];
}

/** CONVERSION_DATA_FIELD names the annotation the way error messages name fields. */
export const CONVERSION_DATA_FIELD = `metadata.annotations[${CONVERSION_DATA_ANNOTATION}]`;

/**
 * takeConversionData removes the annotation from object (in place; an
 * annotations map left empty is removed too, as the apiserver never stores
 * an empty one) and returns its decoded entries. It never throws: a value
 * that is not our JSON, or an entry that is not our shape, is ignored and
 * reported in `problems`, because one hand-edited annotation must not make
 * its object unreadable (and with it every LIST of the kind).
 */
export function takeConversionData(object: JsonObject): TakenConversionData {
  const metadata = object['metadata'];
  if (!isJsonObject(metadata)) return { data: {}, problems: [] };
  const annotations = metadata['annotations'];
  if (!isJsonObject(annotations) || !hasOwn(annotations, CONVERSION_DATA_ANNOTATION)) return { data: {}, problems: [] };
  const raw = annotations[CONVERSION_DATA_ANNOTATION];
  delete annotations[CONVERSION_DATA_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete metadata['annotations'];
  const ignored = (why: string): TakenConversionData => ({ data: {}, problems: [`${CONVERSION_DATA_FIELD}: ${why}, ignored`] });
  if (typeof raw !== 'string') return ignored('is not a string');
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(raw) as JsonValue;
  } catch {
    return ignored('is not valid JSON');
  }
  if (!isJsonObject(parsed)) return ignored('is not a JSON object of version -> {set, remove, hash}');
  const data: ConversionData = {};
  const problems: string[] = [];
  for (const version of Object.keys(parsed)) {
    const entry = parsed[version];
    if (isConversionEntry(entry)) Object.defineProperty(data, version, { value: entry, enumerable: true, writable: true, configurable: true });
    else problems.push(`${CONVERSION_DATA_FIELD}: entry ${JSON.stringify(version)} is not {set: object, remove: [string], hash: object}, ignored`);
  }
  return { data, problems };
}

/**
 * putConversionData stores data in object's annotation (in place), or
 * leaves the object alone when data is empty. Over MAX_CONVERSION_DATA_BYTES,
 * or when all annotations together would pass MAX_ANNOTATIONS_BYTES, it
 * throws ConversionError naming the fields that need the room.
 */
export function putConversionData(object: JsonObject, data: ConversionData): void {
  if (Object.keys(data).length === 0) return;
  const text = JSON.stringify(data);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONVERSION_DATA_BYTES) {
    throw new ConversionError({
      field: CONVERSION_DATA_FIELD,
      message: `the fields the target version has no place for (${describeFields(data)}) need ${bytes} bytes of conversion data, more than the ${MAX_CONVERSION_DATA_BYTES} allowed`,
    });
  }
  let metadata = object['metadata'];
  if (!isJsonObject(metadata)) {
    metadata = {};
    object['metadata'] = metadata;
  }
  let annotations = metadata['annotations'];
  if (!isJsonObject(annotations)) {
    annotations = {};
    metadata['annotations'] = annotations;
  }
  let total = 0;
  for (const key of Object.keys(annotations)) {
    const value = annotations[key];
    if (key !== CONVERSION_DATA_ANNOTATION) total += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  // The apiserver would reject the converted object's annotations (rule 7), failing the call anyway: say why.
  if (total + CONVERSION_DATA_ANNOTATION.length + bytes > MAX_ANNOTATIONS_BYTES) {
    throw new ConversionError({
      field: CONVERSION_DATA_FIELD,
      message: `${bytes} bytes of conversion data (for ${describeFields(data)}) would take the object's annotations past the apiserver's ${MAX_ANNOTATIONS_BYTES} bytes`,
    });
  }
  annotations[CONVERSION_DATA_ANNOTATION] = text;
}

/** describeFields lists the entries' pointers as `v1 /host, v1 /port`, at most five, largest values first. */
function describeFields(data: ConversionData): string {
  const fields: Array<{ name: string; size: number }> = [];
  for (const version of Object.keys(data)) {
    const entry = data[version] as ConversionEntry;
    for (const pointer of Object.keys(entry.set ?? {})) fields.push({ name: `${version} ${pointer}`, size: JSON.stringify(entry.set?.[pointer]).length });
    for (const pointer of entry.remove ?? []) fields.push({ name: `${version} ${pointer}`, size: 0 });
  }
  fields.sort((a, b) => b.size - a.size);
  const shown = fields.slice(0, 5).map((f) => f.name);
  return fields.length > 5 ? `${shown.join(', ')} and ${fields.length - 5} more` : shown.join(', ');
}

function isConversionEntry(value: JsonValue | undefined): value is ConversionEntry & JsonObject {
  if (!isJsonObject(value)) return false;
  for (const key of Object.keys(value)) if (key !== 'set' && key !== 'remove' && key !== 'hash') return false;
  const { set, remove, hash } = value;
  if (set !== undefined && !isJsonObject(set)) return false;
  if (remove !== undefined && (!Array.isArray(remove) || !remove.every((p) => typeof p === 'string'))) return false;
  if (hash !== undefined && (!isJsonObject(hash) || !Object.values(hash).every((h) => typeof h === 'string'))) return false;
  return true;
}
