import { hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { CONVERSION_DATA_ANNOTATION, CONVERSION_DATA_FIELD, putConversionData, takeConversionData } from './conversion-data.js';
import type { ConversionData, ConversionEntry } from './conversion-data.js';
import { hashFieldValues } from './field-hash.js';
import { applyRestorePatch, diffObjects } from './json-diff.js';
import type { RestorePatch } from './json-diff.js';
import type { KindConverter } from './kind-converter.js';
import { fromPointer, getPath } from '../kube/object-path.js';
import { restoreMetadata } from './kind-converter.js';

/** ProblemSink hears about parts of the conversion data that were ignored (malformed, or pointing where rules can't). */
export type ProblemSink = (problem: string) => void;

/**
 * convertLossless converts object from version `from` to `to` so that
 * converting the result back gives the original exactly.
 *
 * How: after the plain conversion, the result is converted back and compared
 * with the original; whatever differs (fields the target has no place for,
 * values a computed mapping can't reproduce) is stored, keyed by `from`, in
 * the `portcullis.dev/conversion-data` annotation, with the hash of what the
 * converter produced at each of those fields. Converting to a version with
 * an entry applies the fields of that entry whose hash still matches (the
 * others were edited since, in another version: their stored copies are
 * stale and are dropped, so an old value never comes back over a newer
 * write) and removes the entry, so after a round trip the annotation is
 * gone. Entries for other versions ride along untouched. Converters must be
 * deterministic for this to hold.
 *
 * object is not modified. Throws ConversionError; anything ignored in the
 * annotation is reported to `report`.
 */
export function convertLossless(converter: KindConverter, object: JsonObject, from: string, to: string, report: ProblemSink = () => undefined): JsonObject {
  // Converters never modify their input, so the object itself serves as the
  // base unless the annotation has to be taken out of a copy.
  const base = hasConversionData(object) ? copyForData(object) : object;
  let data: ConversionData = {};
  if (base !== object) {
    const taken = takeConversionData(base);
    data = taken.data;
    for (const problem of taken.problems) report(problem);
  }
  let converted = converter.convert(base, from, to);
  const entry = data[to];
  if (entry !== undefined) {
    delete data[to];
    const fresh = freshPart(onlyOwnFields(entry), base, converted, (path) => converter.inputsOf(from, to, path), report);
    if (fresh !== undefined) {
      converted = applyRestorePatch(converted, fresh);
      converted['apiVersion'] = `${converter.group}/${to}`;
      converted['kind'] = object['kind'] as string;
      restoreMetadata(converted, base['metadata']);
      dropEmptyAnnotations(converted);
    }
  }
  const back = converter.convert(converted, to, from);
  const lost = diffObjects(base, back);
  if (lost === undefined) delete data[from];
  else {
    const entryFor = withHashes(lost, converted, back, (path) => converter.inputsOf(to, from, path));
    Object.defineProperty(data, from, { value: entryFor, enumerable: true, writable: true, configurable: true });
  }
  putConversionData(converted, data);
  return converted;
}

/**
 * freshPart keeps the pointers of entry whose recorded hash matches the
 * object now (see fieldHash), and drops malformed pointers with a report.
 * An entry without hashes predates them: its sets apply only over fields
 * the converter leaves absent, its removals not at all. Undefined when
 * nothing is left.
 */
function freshPart(entry: ConversionEntry, source: JsonObject, converted: JsonObject, inputs: Inputs, report: ProblemSink): RestorePatch | undefined {
  const isFresh = (pointer: string, legacy: string | undefined): boolean => {
    const path = fromPointer(pointer);
    if (path === undefined || path.length === 0) {
      report(`${CONVERSION_DATA_FIELD}: ${JSON.stringify(pointer)} is not a JSON pointer to a field, ignored`);
      return false;
    }
    if (entry.hash === undefined) return legacy !== undefined && legacy === hashFieldValues([getPath(converted, path)]);
    return hasOwn(entry.hash, pointer) && entry.hash[pointer] === fieldHash(path, source, converted, inputs);
  };
  const absent = hashFieldValues([undefined]);
  const out: RestorePatch = {};
  const remove = (entry.remove ?? []).filter((pointer) => isFresh(pointer, undefined));
  if (remove.length > 0) out.remove = remove;
  const set: JsonObject = {};
  for (const pointer of Object.keys(entry.set ?? {})) if (isFresh(pointer, absent)) setOwn(set, pointer, (entry.set as JsonObject)[pointer] as JsonValue);
  if (Object.keys(set).length > 0) out.set = set;
  return out.set || out.remove ? out : undefined;
}

/** Inputs tells, for a field of the converted object, which fields of the source it is computed from (undefined: unknown). */
type Inputs = (path: string[]) => readonly (readonly string[])[] | undefined;

/**
 * fieldHash is what a stored copy of one field is checked against: the
 * hash of the converter's result at `path` together with the source fields
 * that result is computed from (when the converter can say; a declarative
 * mapping can). A copy is fresh while neither changed: an edit of any field
 * it stands for, in any version, makes it stale.
 */
function fieldHash(path: string[], source: JsonObject, converted: JsonObject, inputs: Inputs): string {
  const fields = inputs(path) ?? [];
  return hashFieldValues([getPath(converted, path), ...fields.map((field) => getPath(source, field))]);
}

/** withHashes records the fieldHash of every pointer of lost: `back` is the converted object, `source` the one it came from. */
function withHashes(lost: RestorePatch, source: JsonObject, back: JsonObject, inputs: Inputs): ConversionEntry {
  const hash: Record<string, string> = {};
  for (const pointer of [...Object.keys(lost.set ?? {}), ...(lost.remove ?? [])]) {
    setOwn(hash, pointer, fieldHash(fromPointer(pointer) as string[], source, back, inputs));
  }
  return { ...lost, hash };
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
function onlyOwnFields(patch: ConversionEntry): ConversionEntry {
  const allowed = (pointer: string) =>
    pointer !== '/apiVersion' && pointer !== '/kind' && (!pointer.startsWith('/metadata') || /^\/metadata\/(labels|annotations)(\/|$)/.test(pointer));
  const out: ConversionEntry = patch.hash ? { hash: patch.hash } : {};
  if (patch.remove) out.remove = patch.remove.filter(allowed);
  if (patch.set) {
    const set: JsonObject = {};
    for (const pointer of Object.keys(patch.set)) if (allowed(pointer)) setOwn(set, pointer, patch.set[pointer] as JsonValue);
    out.set = set;
  }
  return out;
}
