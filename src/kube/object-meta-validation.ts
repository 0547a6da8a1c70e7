import type { JsonObject, JsonValue } from './types.js';
import { isJsonObject } from './types.js';
import type { FieldError } from './field-error.js';
import { isDns1123Label, isQualifiedName, isLabelValue } from './name-rules.js';

/*
 * The ObjectMeta checks the apiserver runs on the metadata of an embedded
 * resource (apimachinery pkg/api/validation ValidateObjectMeta with
 * path-segment names), worded as apimachinery's util/validation words them.
 */

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function pathSegmentErrors(name: string, prefix: boolean): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function stringField(meta: JsonObject, key: string): string {
  const v = meta[key];
  return typeof v === 'string' ? v : '';
}

/**
 * validateEmbeddedObjectMeta checks an embedded resource's metadata as the
 * apiserver does: generateName and name as path segments (a missing name is
 * allowed), namespace as a DNS-1123 label, label keys and values, annotation
 * keys and total size. `field` is the metadata's path.
 */
export function validateEmbeddedObjectMeta(meta: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = stringField(meta, 'generateName');
  if (generateName !== '') {
    for (const m of pathSegmentErrors(generateName, true)) errs.push({ type: 'Invalid', field: `${field}.generateName`, badValue: generateName, detail: m });
  }
  const name = stringField(meta, 'name') || 'fakename';
  for (const m of pathSegmentErrors(name, false)) errs.push({ type: 'Invalid', field: `${field}.name`, badValue: name, detail: m });
  const namespace = stringField(meta, 'namespace');
  if (namespace !== '') for (const m of isDns1123Label(namespace)) errs.push({ type: 'Invalid', field: `${field}.namespace`, badValue: namespace, detail: m });
  const labels = isJsonObject(meta['labels']) ? meta['labels'] : {};
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push({ type: 'Invalid', field: `${field}.labels`, badValue: k, detail: m });
    const value = typeof v === 'string' ? v : '';
    for (const m of isLabelValue(value)) errs.push({ type: 'Invalid', field: `${field}.labels`, badValue: value, detail: m });
  }
  const annotations = isJsonObject(meta['annotations']) ? meta['annotations'] : {};
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push({ type: 'Invalid', field: `${field}.annotations`, badValue: k, detail: m });
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push({ type: 'TooLong', field: `${field}.annotations`, detail: `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  return errs;
}

/** OBJECT_META_FIELDS maps ObjectMeta's JSON fields to their Go types (for decode errors and pruning). */
export const OBJECT_META_FIELDS: Readonly<Record<string, string>> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'types.UID',
  resourceVersion: 'string',
  generation: 'int64',
  creationTimestamp: 'v1.Time',
  deletionTimestamp: 'v1.Time',
  deletionGracePeriodSeconds: 'int64',
  labels: 'map[string]string',
  annotations: 'map[string]string',
  ownerReferences: '[]v1.OwnerReference',
  finalizers: '[]string',
  managedFields: '[]v1.ManagedFieldsEntry',
};

function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function goTypeName(v: JsonValue): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object' && v !== null) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

/**
 * objectMetaDecodeError returns why the apiserver cannot decode a value as
 * ObjectMeta, worded as it reports it (`invalid metadata: expected object,
 * got string`, or encoding/json's `json: cannot unmarshal number into Go
 * struct field ObjectMeta.name of type string`), or null when it decodes.
 * Nulls decode as absent.
 */
export function objectMetaDecodeError(meta: JsonValue): string | null {
  if (!isJsonObject(meta)) return `invalid metadata: expected object, got ${goTypeName(meta)}`;
  const bad = (field: string, v: JsonValue, type: string) => `json: cannot unmarshal ${jsonKind(v)} into Go struct field ObjectMeta.${field} of type ${type}`;
  for (const [field, type] of Object.entries(OBJECT_META_FIELDS)) {
    const v = meta[field];
    if (v === undefined || v === null) continue;
    if (type === 'string' || type === 'types.UID') {
      if (typeof v !== 'string') return bad(field, v, type);
    } else if (type === 'int64') {
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad(field, v, type);
    } else if (type === 'map[string]string') {
      if (!isJsonObject(v)) return bad(field, v, type);
      for (const item of Object.values(v)) if (item !== null && typeof item !== 'string') return bad(field, item, 'string');
    } else if (type === '[]string') {
      if (!Array.isArray(v)) return bad(field, v, type);
      for (const item of v) if (item !== null && typeof item !== 'string') return bad(field, item, 'string');
    } else if (type.startsWith('[]')) {
      if (!Array.isArray(v)) return bad(field, v, type);
    }
  }
  return null;
}
