import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { parseApiVersion } from '../kube/gvk.js';
import { ObjectPathError, parseObjectPath } from '../kube/object-path.js';
import type { ResourceRef } from './api-client.js';
import { BindingError } from './errors.js';

/**
 * The ControllerBinding document (`portcullis.dev/v1alpha1`, files under
 * policies/bindings/): which source objects get a cluster-scoped CR, how the
 * CR is named and filled, and which CR status fields flow back to the source.
 */

/** FieldTest is a filter on one field: equals a value, or is one of several. */
export interface FieldTest {
  path: string;
  equals?: string;
  in?: string[];
}

/** BindingFilter selects source objects; exactly one of its fields is set. */
export interface BindingFilter {
  field?: FieldTest;
  /** cel is a CEL expression over `object` that must return true. */
  cel?: string;
  /** annotation selects objects carrying an annotation (and value, when given). */
  annotation?: { key: string; value?: string };
}

/** FieldCopy copies one field path (docs/paths.md) of one object to a field path of another. */
export interface FieldCopy {
  from: string;
  to: string;
}

/** Binding is a validated ControllerBinding. */
export interface Binding {
  name: string;
  source: ResourceRef;
  target: ResourceRef;
  filter: BindingFilter;
  /** nameMaxLength bounds CR names (default 253, the DNS subdomain limit). */
  nameMaxLength: number;
  /** spec copies source fields into the CR (paths relative to the CR's spec). */
  spec: FieldCopy[];
  /** statusReflection copies CR fields (e.g. `status.ingress`) to source fields (e.g. `status.loadBalancer.ingress`). */
  statusReflection: FieldCopy[];
}

const QUALIFIED = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** pathProblem says why text is not a field path (docs/paths.md) a binding can use, or returns undefined; `write` paths name object fields only. */
function pathProblem(text: string, write: boolean): string | undefined {
  try {
    const { segments } = parseObjectPath(text);
    return write && segments.some((s) => typeof s === 'number') ? `${JSON.stringify(text)}: a path written to names object fields only, no [N]` : undefined;
  } catch (err) {
    if (err instanceof ObjectPathError) return err.detail;
    throw err;
  }
}

function fail(name: string, message: string): never {
  throw new BindingError(`binding ${name}: ${message}`);
}

function str(obj: JsonObject, key: string, where: string, name: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') fail(name, `${where}.${key} must be a non-empty string`);
  return value;
}

function resourceRef(raw: JsonValue | undefined, where: string, name: string, namespaced: boolean): ResourceRef {
  if (!isJsonObject(raw)) fail(name, `${where} must be an object`);
  const { group, version } = parseApiVersion(str(raw, 'apiVersion', where, name));
  const kind = str(raw, 'kind', where, name);
  const resource = typeof raw.resource === 'string' ? raw.resource : `${kind.toLowerCase()}s`;
  return { group, version, kind, resource, namespaced };
}

function copies(raw: JsonValue | undefined, where: string, name: string): FieldCopy[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(name, `${where} must be a list of {from, to}`);
  return raw.map((item, i) => {
    if (!isJsonObject(item)) fail(name, `${where}[${i}] must be an object`);
    const from = str(item, 'from', `${where}[${i}]`, name);
    const to = str(item, 'to', `${where}[${i}]`, name);
    const problem = pathProblem(from, false) ?? pathProblem(to, true);
    if (problem !== undefined) fail(name, `${where}[${i}] paths must be dot-separated field names, ["key"] or [N] (docs/paths.md): ${problem}`);
    return { from, to };
  });
}

function filterOf(raw: JsonValue | undefined, name: string): BindingFilter {
  if (!isJsonObject(raw)) fail(name, 'spec.filter must be an object');
  const set = ['field', 'cel', 'annotation'].filter((k) => raw[k] !== undefined);
  if (set.length !== 1) fail(name, 'spec.filter needs exactly one of field, cel, annotation');
  if (typeof raw.cel === 'string') return { cel: raw.cel };
  if (isJsonObject(raw.field)) {
    const path = str(raw.field, 'path', 'spec.filter.field', name);
    const problem = pathProblem(path, false);
    if (problem !== undefined) fail(name, `spec.filter.field.path must be dot-separated field names, ["key"] or [N] (docs/paths.md): ${problem}`);
    const equals = typeof raw.field.equals === 'string' ? raw.field.equals : undefined;
    const list = Array.isArray(raw.field.in) ? raw.field.in.filter((v): v is string => typeof v === 'string') : undefined;
    if (equals === undefined && list === undefined) fail(name, 'spec.filter.field needs equals or in');
    return { field: { path, equals, in: list } };
  }
  if (isJsonObject(raw.annotation)) {
    const key = str(raw.annotation, 'key', 'spec.filter.annotation', name);
    const value = typeof raw.annotation.value === 'string' ? raw.annotation.value : undefined;
    return { annotation: { key, value } };
  }
  fail(name, 'spec.filter has an invalid shape');
}

/**
 * parseBinding validates one decoded YAML document and returns the Binding,
 * or throws BindingError naming the first problem. Finalizer and label names
 * are derived from the binding name, so it must be a DNS label.
 */
export function parseBinding(doc: JsonValue): Binding {
  if (!isJsonObject(doc)) throw new BindingError('binding document must be an object');
  if (doc.apiVersion !== 'portcullis.dev/v1alpha1' || doc.kind !== 'ControllerBinding') {
    throw new BindingError('binding must have apiVersion portcullis.dev/v1alpha1 and kind ControllerBinding');
  }
  const meta = isJsonObject(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!QUALIFIED.test(name) || name.length > 63) fail(name || '(unnamed)', 'metadata.name must be a DNS label');
  const spec = doc.spec;
  if (!isJsonObject(spec)) fail(name, 'spec must be an object');
  const nameRule = isJsonObject(spec.nameRule) ? spec.nameRule : {};
  const max = typeof nameRule.maxLength === 'number' ? nameRule.maxLength : 253;
  if (!Number.isInteger(max) || max < 20 || max > 253) fail(name, 'spec.nameRule.maxLength must be an integer in 20..253');
  return {
    name,
    source: resourceRef(spec.source, 'spec.source', name, true),
    target: resourceRef(spec.target, 'spec.target', name, false),
    filter: filterOf(spec.filter, name),
    nameMaxLength: max,
    spec: copies(spec.spec, 'spec.spec', name),
    statusReflection: copies(spec.statusReflection, 'spec.statusReflection', name),
  };
}
