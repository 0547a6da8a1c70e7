import { hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { CONVERSION_DATA_ANNOTATION, putConversionData, takeConversionData } from './conversion-data.js';
import { ConversionError } from './conversion-error.js';
import { applyRestorePatch, diffObjects } from './json-diff.js';
import type { RestorePatch } from './json-diff.js';
import type { KindConverter } from './kind-converter.js';
import { restoreMetadata } from './kind-converter.js';

/**
 * convertLossless converts object from version `from` to `to` so that
 * converting the result back gives the original exactly.
 *
 * How: after the plain conversion, the result is converted back and compared
 * with the original; whatever differs (fields the target has no place for,
 * values a computed mapping can't reproduce) is stored, keyed by `from`, in
 * the `portcullis.dev/conversion-data` annotation. Converting to a version
 * with an entry applies that entry and removes it, so after a round trip the
 * annotation is gone. Entries for other versions ride along untouched.
 * Converters must be deterministic for this to hold.
 *
 * object is not modified. Throws ConversionError.
 */
export function convertLossless(converter: KindConverter, object: JsonObject, from: string, to: string): JsonObject {
  // Converters never modify their input, so the object itself serves as the
  // base unless the annotation has to be taken out of a copy.
  const base = hasConversionData(object) ? copyForData(object) : object;
  const data = base === object ? {} : takeConversionData(base);
  let converted = converter.convert(base, from, to);
  const restore = data[to];
  if (restore !== undefined) {
    delete data[to];
    converted = applyRestorePatch(converted, onlyOwnFields(restore), (pointer) => {
      throw new ConversionError({ field: 'metadata.annotations[portcullis.dev/conversion-data]', message: `${JSON.stringify(pointer)} is not a JSON pointer` });
    });
    converted['apiVersion'] = `${converter.group}/${to}`;
    converted['kind'] = object['kind'] as string;
    restoreMetadata(converted, base['metadata']);
    dropEmptyAnnotations(converted);
  }
  const back = converter.convert(converted, to, from);
  const lost = diffObjects(base, back);
  if (lost === undefined) delete data[from];
  else Object.defineProperty(data, from, { value: lost, enumerable: true, writable: true, configurable: true });
  putConversionData(converted, data);
  return converted;
}

function dropEmptyAnnotations(object: JsonObject): void {
  const metadata = object['metadata'] as JsonObject;
  const annotations = metadata['annotations'];
  if (annotations !== null && typeof annotations === 'object' && !Array.isArray(annotations) && Object.keys(annotations).length === 0) {
    delete metadata['annotations'];
  }
}

function hasConversionData(object: JsonObject): boolean {
  const metadata = object['metadata'];
  const annotations = isJsonObject(metadata) ? metadata['annotations'] : undefined;
  return isJsonObject(annotations) && hasOwn(annotations, CONVERSION_DATA_ANNOTATION);
}

/** copyForData copies the object down to its annotations map, the only part takeConversionData changes. */
function copyForData(object: JsonObject): JsonObject {
  const metadata = object['metadata'] as JsonObject;
  return { ...object, metadata: { ...metadata, annotations: { ...(metadata['annotations'] as JsonObject) } } };
}

/**
 * onlyOwnFields drops pointers into what the converter and the apiserver
 * own (apiVersion, kind, metadata other than labels and annotations): the
 * annotation is user-editable, and they are put back afterwards anyway.
 */
function onlyOwnFields(patch: RestorePatch): RestorePatch {
  const allowed = (pointer: string) =>
    pointer !== '/apiVersion' && pointer !== '/kind' && (!pointer.startsWith('/metadata') || /^\/metadata\/(labels|annotations)(\/|$)/.test(pointer));
  const out: RestorePatch = {};
  if (patch.remove) out.remove = patch.remove.filter(allowed);
  if (patch.set) {
    const set: JsonObject = {};
    for (const pointer of Object.keys(patch.set)) if (allowed(pointer)) setOwn(set, pointer, patch.set[pointer] as JsonValue);
    out.set = set;
  }
  return out;
}
