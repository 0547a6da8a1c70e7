import { errorString, NO_VALUE } from '../kube/field-error.js';
import type { FieldError } from '../kube/field-error.js';
import { isDns1035Label, isDns1123Subdomain } from '../kube/name-rules.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { compileValidator } from './compile-validator.js';
import type { Schema } from './structural.js';

/*
 * The checks the apiserver makes when a CustomResourceDefinition is created
 * (apiextensions-apiserver pkg/apis/apiextensions/validation and
 * pkg/apiserver/schema: structural schema invariants, list-map keys,
 * defaults that validate), so a CRD the cluster would reject is rejected at
 * load with the apiserver's field paths and wording, not discovered at
 * `kubectl apply`. It covers the rules a hand-written CRD trips over; the
 * CEL cost estimates and the value-validation-only rules of allOf/anyOf/
 * oneOf/not are left to the apiserver.
 */

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const VALIDATION_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
const UNSUPPORTED = ['id', '$ref', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'] as const;

type Level = 'root' | 'field' | 'item';

/** SchemaContext is where a node sits: what it may hold depends on it. */
interface SchemaContext {
  level: Level;
  /** noDefaults says why defaults are forbidden here (top-level metadata, apiVersion, kind). */
  noDefaults?: string;
  insideMeta: boolean;
}

const str = (v: JsonValue | undefined) => (typeof v === 'string' ? v : undefined);
const obj = (v: JsonValue | undefined) => (isJsonObject(v) ? v : undefined);
const key = (path: string, name: string) => `${path}.properties[${name}]`;

function checkTypeAndShape(s: JsonObject, path: string, ctx: SchemaContext, out: FieldError[]): void {
  const type = s['type'];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (type === 'null') out.push({ type: 'Forbidden', field: `${path}.type`, detail: 'type cannot be set to null, use nullable as an alternative' });
  else if (typeof type === 'string' && type !== '' && !TYPES.includes(type)) out.push({ type: 'NotSupported', field: `${path}.type`, badValue: type, detail: `supported values: ${TYPES.map((t) => `"${t}"`).join(', ')}` });
  if (embedded && type !== 'object') {
    out.push(type === undefined || type === '' ? { type: 'Required', field: `${path}.type`, detail: 'must be object if x-kubernetes-embedded-resource is true' } : { type: 'Invalid', field: `${path}.type`, badValue: type, detail: 'must be object if x-kubernetes-embedded-resource is true' });
  } else if ((type === undefined || type === '') && !intOrString && !preserve) {
    const detail = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[ctx.level];
    out.push({ type: 'Required', field: `${path}.type`, detail });
  }
  if (ctx.level === 'root' && typeof type === 'string' && type !== '' && type !== 'object') out.push({ type: 'Invalid', field: `${path}.type`, badValue: type, detail: 'must be object at the root' });
  if (type === 'array' && s['items'] === undefined) out.push({ type: 'Required', field: `${path}.items`, detail: 'must be specified' });
  if (Array.isArray(s['items'])) out.push({ type: 'Forbidden', field: `${path}.items`, detail: 'items must be a schema object and not an array' });
  if (s['uniqueItems'] === true) out.push({ type: 'Forbidden', field: `${path}.uniqueItems`, detail: 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic' });
  for (const name of UNSUPPORTED) if (s[name] !== undefined) out.push({ type: 'Forbidden', field: `${path}.${name}`, detail: `${name} is not supported` });
  if (s['x-kubernetes-preserve-unknown-fields'] === false) out.push({ type: 'Invalid', field: `${path}.x-kubernetes-preserve-unknown-fields`, badValue: false, detail: 'must be true or undefined' });
  if (intOrString && preserve) out.push({ type: 'Invalid', field: `${path}.x-kubernetes-preserve-unknown-fields`, badValue: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  if (intOrString && embedded) out.push({ type: 'Invalid', field: `${path}.x-kubernetes-embedded-resource`, badValue: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  if (ctx.insideMeta && embedded) out.push({ type: 'Forbidden', field: `${path}.x-kubernetes-embedded-resource`, detail: 'must not be used inside of resource meta' });
  if (embedded && !preserve && Object.keys(obj(s['properties']) ?? {}).length === 0) {
    out.push({ type: 'Required', field: `${path}.properties`, detail: 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' });
  }
}

function checkAdditionalProperties(s: JsonObject, path: string, ctx: SchemaContext, out: FieldError[]): void {
  const additional = s['additionalProperties'];
  if (additional === undefined) return;
  const hasProperties = Object.keys(obj(s['properties']) ?? {}).length > 0;
  if (hasProperties && (additional === false || isJsonObject(additional))) out.push({ type: 'Forbidden', field: `${path}.additionalProperties`, detail: 'additionalProperties and properties are mutual exclusive' });
  if (ctx.level === 'root') out.push({ type: 'Forbidden', field: `${path}.additionalProperties`, detail: 'must not be used at the root' });
  if (s['x-kubernetes-embedded-resource'] === true) out.push({ type: 'Forbidden', field: `${path}.additionalProperties`, detail: 'must not be used if x-kubernetes-embedded-resource is set' });
}

function checkMapAndListTypes(s: JsonObject, path: string, out: FieldError[]): void {
  const type = str(s['type']);
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && type !== 'object') out.push(type ? { type: 'Invalid', field: `${path}.type`, badValue: type, detail: 'must be object if x-kubernetes-map-type is specified' } : { type: 'Required', field: `${path}.type`, detail: 'must be object if x-kubernetes-map-type is specified' });
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') out.push({ type: 'NotSupported', field: `${path}.x-kubernetes-map-type`, badValue: mapType, detail: 'supported values: "atomic", "granular"' });
  const listType = s['x-kubernetes-list-type'];
  const items = obj(s['items']);
  if (listType !== undefined && type !== 'array') out.push(type ? { type: 'Invalid', field: `${path}.type`, badValue: type, detail: 'must be array if x-kubernetes-list-type is specified' } : { type: 'Required', field: `${path}.type`, detail: 'must be array if x-kubernetes-list-type is specified' });
  else if (listType === 'set' && items) {
    if (items['type'] === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') out.push({ type: 'Invalid', field: `${path}.items.x-kubernetes-list-type`, badValue: items['x-kubernetes-list-type'] as JsonValue, detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
    if (items['type'] === 'object' && items['x-kubernetes-map-type'] !== 'atomic') out.push({ type: 'Invalid', field: `${path}.items.x-kubernetes-map-type`, badValue: (items['x-kubernetes-map-type'] as JsonValue) ?? null, detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') out.push({ type: 'NotSupported', field: `${path}.x-kubernetes-list-type`, badValue: listType, detail: 'supported values: "atomic", "map", "set"' });
  const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as JsonValue[]).filter((k): k is string => typeof k === 'string') : [];
  if (keys.length > 0 && listType !== 'map') out.push(listType === undefined ? { type: 'Required', field: `${path}.x-kubernetes-list-type`, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' } : { type: 'Invalid', field: `${path}.x-kubernetes-list-type`, badValue: listType, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' });
  if ((listType === 'set' || listType === 'map') && items?.['nullable'] === true) out.push({ type: 'Forbidden', field: `${path}.items.nullable`, detail: `cannot be nullable when x-kubernetes-list-type is ${listType}` });
  if (listType === 'map') checkListMapKeys(s, keys, path, out);
}

function checkListMapKeys(s: JsonObject, keys: string[], path: string, out: FieldError[]): void {
  const items = obj(s['items']);
  if (keys.length === 0) out.push({ type: 'Required', field: `${path}.x-kubernetes-list-map-keys`, detail: 'must not be empty if x-kubernetes-list-type is map' });
  if (s['items'] === undefined) out.push({ type: 'Required', field: `${path}.items`, detail: 'must have a schema if x-kubernetes-list-type is map' });
  if (!items) return;
  if (items['type'] !== 'object') {
    out.push({ type: 'Invalid', field: `${path}.items.type`, badValue: (items['type'] as JsonValue) ?? '', detail: "must be object if parent array's x-kubernetes-list-type is map" });
    return;
  }
  const properties = obj(items['properties']) ?? {};
  const required = new Set(Array.isArray(items['required']) ? items['required'] : []);
  const seen = new Set<string>();
  for (const k of keys) {
    const property = obj(properties[k]);
    if (!property) out.push({ type: 'Invalid', field: `${path}.x-kubernetes-list-map-keys`, badValue: keys, detail: 'entries must all be names of item properties' });
    else {
      if (property['type'] === 'array' || property['type'] === 'object') out.push({ type: 'Invalid', field: `${key(`${path}.items`, k)}.type`, badValue: 'object', detail: "must be a scalar type if parent array's x-kubernetes-list-type is map" });
      if (!required.has(k) && property['default'] === undefined) out.push({ type: 'Required', field: `${key(`${path}.items`, k)}.default`, detail: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
      if (property['nullable'] === true) out.push({ type: 'Forbidden', field: `${key(`${path}.items`, k)}.nullable`, detail: 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable' });
    }
    if (seen.has(k)) out.push({ type: 'Invalid', field: `${path}.x-kubernetes-list-map-keys`, badValue: keys, detail: 'must not contain duplicate entries' });
    seen.add(k);
  }
}

function checkValidations(s: JsonObject, path: string, out: FieldError[]): void {
  const rules = s['x-kubernetes-validations'];
  if (!Array.isArray(rules)) return;
  rules.forEach((raw, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const rule = obj(raw) ?? {};
    const text = (str(rule['rule']) ?? '').trim();
    const message = str(rule['message']);
    if (text === '') out.push({ type: 'Required', field: `${at}.rule`, detail: 'rule is not specified' });
    else if (message !== undefined && message.length > 0 && message.trim() === '') out.push({ type: 'Invalid', field: `${at}.message`, badValue: message, detail: 'must be non-empty if specified' });
    else if (message !== undefined && /[\n\r]/.test(message.trim())) out.push({ type: 'Invalid', field: `${at}.message`, badValue: message, detail: 'must not contain line breaks' });
    else if (/[\n\r]/.test(text) && (message ?? '').trim() === '') out.push({ type: 'Required', field: `${at}.message`, detail: 'message must be specified if rule contains line breaks' });
    const reason = rule['reason'];
    if (reason !== undefined && !VALIDATION_REASONS.includes(reason as string)) out.push({ type: 'NotSupported', field: `${at}.reason`, badValue: reason, detail: `supported values: ${VALIDATION_REASONS.map((r) => `"${r}"`).join(', ')}` });
  });
}

function checkDefault(s: JsonObject, path: string, ctx: SchemaContext, out: FieldError[]): void {
  if (s['default'] === undefined) return;
  if (ctx.noDefaults !== undefined) {
    out.push({ type: 'Forbidden', field: `${path}.default`, detail: `must not be set ${ctx.noDefaults}` });
    return;
  }
  // The default must pass its own schema, as the apiserver checks it: validate it as the only field of a wrapper object.
  const { default: value, ...node } = s;
  let errors: FieldError[];
  try {
    errors = compileValidator({ type: 'object', properties: { default: node } } as unknown as Schema).validate({ default: value as JsonValue }).errors;
  } catch {
    return; // a schema that doesn't compile is reported by the registry, with its own words
  }
  for (const error of errors) out.push({ ...error, field: `${path}.${error.field}` });
}

function checkMetadata(s: JsonObject, path: string, out: FieldError[]): void {
  const metadata = obj(obj(s['properties'])?.['metadata']);
  if (!metadata) return;
  if (metadata['type'] !== undefined && metadata['type'] !== 'object') out.push({ type: 'Invalid', field: `${key(path, 'metadata')}.type`, badValue: metadata['type'], detail: 'must be object' });
  const rest = Object.keys(metadata).filter((k) => k !== 'type' && k !== 'properties' && k !== 'default' && k !== 'description');
  const props = Object.keys(obj(metadata['properties']) ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  if (rest.length > 0 || props.length > 0) out.push({ type: 'Forbidden', field: key(path, 'metadata'), detail: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
}

function walk(s: JsonObject, path: string, ctx: SchemaContext, out: FieldError[]): void {
  checkTypeAndShape(s, path, ctx, out);
  checkAdditionalProperties(s, path, ctx, out);
  checkMapAndListTypes(s, path, out);
  checkValidations(s, path, out);
  checkDefault(s, path, ctx, out);
  const isResource = ctx.level === 'root' || s['x-kubernetes-embedded-resource'] === true;
  if (ctx.level === 'root') checkMetadata(s, path, out);
  for (const [name, child] of Object.entries(obj(s['properties']) ?? {})) {
    if (!isJsonObject(child)) continue;
    const meta = isResource && META_FIELDS.has(name);
    if (isResource && (name === 'kind' || name === 'apiVersion') && child['type'] !== 'string') out.push({ type: 'Invalid', field: `${key(path, name)}.type`, badValue: (child['type'] as JsonValue) ?? '', detail: 'must be string' });
    walk(child, key(path, name), { level: 'field', insideMeta: ctx.insideMeta || meta, noDefaults: ctx.level === 'root' && meta ? `in top-level ${name}` : ctx.noDefaults }, out);
  }
  const additional = obj(s['additionalProperties']);
  if (additional) walk(additional, `${path}.additionalProperties`, { level: 'field', insideMeta: ctx.insideMeta, noDefaults: ctx.insideMeta ? 'inside additionalProperties applying to object metadata' : ctx.noDefaults }, out);
  const items = obj(s['items']);
  if (items) walk(items, `${path}.items`, { level: 'item', insideMeta: ctx.insideMeta, noDefaults: ctx.noDefaults }, out);
}

/** validateCrdSchema checks one version's openAPIV3Schema as the apiserver does; `path` is its field path. */
export function validateCrdSchema(schema: JsonObject, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (schema['nullable'] === true) out.push({ type: 'Forbidden', field: `${path}.nullable`, detail: 'nullable cannot be true at the root' });
  walk(schema, path, { level: 'root', insideMeta: false }, out);
  return out;
}

function checkVersions(spec: JsonObject, out: FieldError[]): void {
  const versions = Array.isArray(spec['versions']) ? spec['versions'] : [];
  const names = new Set<string>();
  let storage = 0;
  let unique = true;
  versions.forEach((raw, i) => {
    const version = obj(raw) ?? {};
    const name = str(version['name']) ?? '';
    const at = `spec.versions[${i}]`;
    const problems = isDns1035Label(name);
    if (problems.length > 0) out.push({ type: 'Invalid', field: `${at}.name`, badValue: name, detail: problems.join(',') });
    if (names.has(name)) unique = false;
    names.add(name);
    if (version['storage'] === true) storage++;
    const schema = obj(obj(version['schema'])?.['openAPIV3Schema']);
    if (!schema) out.push({ type: 'Required', field: `${at}.schema.openAPIV3Schema` });
    else out.push(...validateCrdSchema(schema, `${at}.schema.openAPIV3Schema`));
  });
  if (!unique) out.push({ type: 'Invalid', field: 'spec.versions', badValue: NO_VALUE, detail: 'must contain unique version names' });
  if (storage !== 1) out.push({ type: 'Invalid', field: 'spec.versions', badValue: NO_VALUE, detail: 'must have exactly one version marked as storage version' });
}

function checkConversion(spec: JsonObject, out: FieldError[]): void {
  const conversion = obj(spec['conversion']);
  if (!conversion) return;
  const strategy = conversion['strategy'];
  if (strategy !== 'None' && strategy !== 'Webhook') out.push({ type: 'NotSupported', field: 'spec.conversion.strategy', badValue: (strategy as JsonValue) ?? '', detail: 'supported values: "None", "Webhook"' });
  if (strategy !== 'Webhook') {
    if (conversion['webhook'] !== undefined) out.push({ type: 'Forbidden', field: 'spec.conversion.webhook', detail: 'should not be set when strategy is not set to Webhook' });
    return;
  }
  const webhook = obj(conversion['webhook']);
  if (!webhook) {
    out.push({ type: 'Required', field: 'spec.conversion.webhook', detail: 'required when strategy is set to Webhook' });
    return;
  }
  if (!obj(webhook['clientConfig'])) out.push({ type: 'Required', field: 'spec.conversion.webhook.clientConfig', detail: 'required when strategy is set to Webhook' });
  const reviews = Array.isArray(webhook['conversionReviewVersions']) ? webhook['conversionReviewVersions'] : [];
  if (reviews.length === 0) out.push({ type: 'Required', field: 'spec.conversion.webhook.conversionReviewVersions', detail: 'must contain at least one version' });
  else if (!reviews.some((v) => v === 'v1' || v === 'v1beta1')) out.push({ type: 'Invalid', field: 'spec.conversion.webhook.conversionReviewVersions', badValue: reviews, detail: 'must include at least one of v1, v1beta1' });
}

/**
 * validateCrdDefinition returns every problem the apiserver would report
 * when the CRD is created (empty when it would accept it), each with the
 * apiserver's field path and words.
 */
export function validateCrdDefinition(crd: JsonObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = obj(crd['spec']) ?? {};
  const group = str(spec['group']) ?? '';
  const names = obj(spec['names']) ?? {};
  const plural = str(names['plural']) ?? '';
  const name = str(obj(crd['metadata'])?.['name']) ?? '';
  if (name !== `${plural}.${group}`) out.push({ type: 'Invalid', field: 'metadata.name', badValue: name, detail: 'must be spec.names.plural+"."+spec.group' });
  const groupProblems = isDns1123Subdomain(group);
  if (group === '') out.push({ type: 'Required', field: 'spec.group' });
  else if (groupProblems.length > 0) out.push({ type: 'Invalid', field: 'spec.group', badValue: group, detail: groupProblems.join(',') });
  else if (!group.includes('.')) out.push({ type: 'Invalid', field: 'spec.group', badValue: group, detail: 'should be a domain with at least one dot' });
  if (plural === '') out.push({ type: 'Required', field: 'spec.names.plural' });
  else {
    const problems = isDns1035Label(plural);
    if (problems.length > 0) out.push({ type: 'Invalid', field: 'spec.names.plural', badValue: plural, detail: problems.join(',') });
  }
  if ((str(names['kind']) ?? '') === '') out.push({ type: 'Required', field: 'spec.names.kind' });
  checkVersions(spec, out);
  checkConversion(spec, out);
  return out;
}

/** describeCrdProblems words the problems of validateCrdDefinition as one message: one line per field. */
export function describeCrdProblems(problems: readonly FieldError[]): string {
  if (problems.length === 1) return `the apiserver would reject this CRD: ${errorString(problems[0] as FieldError)}`;
  return `the apiserver would reject this CRD (${problems.length} problems):\n${problems.map((p) => `    ${errorString(p)}`).join('\n')}`;
}
