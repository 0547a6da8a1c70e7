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

/** ConversionData maps an API version (`v1beta1`) to the patch that restores the object in that version. */
export type ConversionData = Record<string, RestorePatch>;

const FIELD = `metadata.annotations[${CONVERSION_DATA_ANNOTATION}]`;

/**
 * takeConversionData removes the annotation from object (in place; an
 * annotations map left empty is removed too, as the apiserver never stores
 * an empty one) and returns its decoded content, or an empty record. A value
 * that is not our JSON shape throws ConversionError naming the annotation.
 */
export function takeConversionData(object: JsonObject): ConversionData {
  const metadata = object['metadata'];
  if (!isJsonObject(metadata)) return {};
  const annotations = metadata['annotations'];
  if (!isJsonObject(annotations) || !hasOwn(annotations, CONVERSION_DATA_ANNOTATION)) return {};
  const raw = annotations[CONVERSION_DATA_ANNOTATION];
  delete annotations[CONVERSION_DATA_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete metadata['annotations'];
  if (typeof raw !== 'string') throw new ConversionError({ field: FIELD, message: 'must be a string' });
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(raw) as JsonValue;
  } catch (err) {
    throw new ConversionError({ field: FIELD, message: 'is not valid JSON', cause: err });
  }
  if (!isJsonObject(parsed)) throw new ConversionError({ field: FIELD, message: 'must be a JSON object of version -> {set, remove}' });
  const out: ConversionData = {};
  for (const version of Object.keys(parsed)) {
    const patch = parsed[version];
    if (!isRestorePatch(patch)) throw new ConversionError({ field: FIELD, message: `entry ${JSON.stringify(version)} must be {set: object, remove: [string]}` });
    Object.defineProperty(out, version, { value: patch, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * putConversionData stores data in object's annotation (in place), or
 * leaves the object alone when data is empty. Over MAX_CONVERSION_DATA_BYTES,
 * or when all annotations together would pass MAX_ANNOTATIONS_BYTES, it
 * throws ConversionError.
 */
export function putConversionData(object: JsonObject, data: ConversionData): void {
  if (Object.keys(data).length === 0) return;
  const text = JSON.stringify(data);
  if (Buffer.byteLength(text) > MAX_CONVERSION_DATA_BYTES) {
    throw new ConversionError({ field: FIELD, message: `fields the target version can't hold need ${Buffer.byteLength(text)} bytes, more than the ${MAX_CONVERSION_DATA_BYTES} allowed` });
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
  if (total + CONVERSION_DATA_ANNOTATION.length + Buffer.byteLength(text) > MAX_ANNOTATIONS_BYTES) {
    throw new ConversionError({ field: FIELD, message: `would take the object's annotations past the apiserver's ${MAX_ANNOTATIONS_BYTES} bytes` });
  }
  annotations[CONVERSION_DATA_ANNOTATION] = text;
}

function isRestorePatch(value: JsonValue | undefined): value is RestorePatch & JsonObject {
  if (!isJsonObject(value)) return false;
  for (const key of Object.keys(value)) if (key !== 'set' && key !== 'remove') return false;
  const set = value['set'];
  const remove = value['remove'];
  if (set !== undefined && !isJsonObject(set)) return false;
  if (remove !== undefined && (!Array.isArray(remove) || !remove.every((p) => typeof p === 'string'))) return false;
  return true;
}
