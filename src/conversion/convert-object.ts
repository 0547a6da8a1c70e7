import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject } from '../kube/types.js';
import { putConversionData, takeConversionData } from './conversion-data.js';
import { ConversionError } from './conversion-error.js';
import { applyRestorePatch, diffObjects } from './json-diff.js';
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
  const base = deepCopy(object);
  const data = takeConversionData(base);
  const converted = converter.convert(deepCopy(base), from, to);
  const restore = data[to];
  if (restore !== undefined) {
    delete data[to];
    applyRestorePatch(converted, restore, (pointer) => {
      throw new ConversionError({ field: 'metadata.annotations[portcullis.dev/conversion-data]', message: `${JSON.stringify(pointer)} is not a JSON pointer` });
    });
    converted['apiVersion'] = `${converter.group}/${to}`;
    converted['kind'] = object['kind'] as string;
    restoreMetadata(converted, base['metadata']);
    dropEmptyAnnotations(converted);
  }
  const back = converter.convert(deepCopy(converted), to, from);
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
