/**
 * Minimally broken variants: one small change to a generated object that a
 * schema keyword (or the apiserver's pruning) should notice.
 */
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { Schema } from '../../../src/schema/structural.js';

/** Breakage is one way to break an object, with what it did. */
export interface Breakage {
  /** what describes the change, e.g. `drop required spec.name`. */
  what: string;
  apply(root: JsonObject): void;
}

type Path = (string | number)[];

function at(root: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, JsonValue>)[seg as string];
  }
  return cur;
}

function set(root: JsonValue, path: Path, value: JsonValue | undefined): void {
  const parent = at(root, path.slice(0, -1)) as Record<string, JsonValue> | JsonValue[];
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete (parent as Record<string, JsonValue>)[last as string];
  else (parent as Record<string, JsonValue>)[last as string] = value;
}

function show(path: Path): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
}

/** breakages lists every single-change breakage of `value` (at `path`) that `schema` should reject or prune. */
export function breakages(value: JsonValue, schema: Schema, path: Path = []): Breakage[] {
  const out: Breakage[] = [];
  const p = [...path];
  const where = show(p);
  if (schema.enum !== undefined && typeof value === 'string') out.push({ what: `enum ${where}`, apply: (r) => set(r, p, 'NotInTheEnum') });
  if (schema.type === 'string' && !schema['x-kubernetes-int-or-string'] && p.length > 0) out.push({ what: `type ${where}`, apply: (r) => set(r, p, 12345) });
  if (schema.type === 'integer' && p.length > 0) out.push({ what: `type ${where}`, apply: (r) => set(r, p, 'not-a-number') });
  if (schema.maxLength !== undefined && typeof value === 'string' && schema.maxLength < 300) out.push({ what: `maxLength ${where}`, apply: (r) => set(r, p, 'a'.repeat(schema.maxLength as number + 1)) });
  if (schema.pattern !== undefined && typeof value === 'string') out.push({ what: `pattern ${where}`, apply: (r) => set(r, p, '!! no match !!') });
  if (schema.maximum !== undefined && typeof value === 'number') out.push({ what: `maximum ${where}`, apply: (r) => set(r, p, (schema.maximum as number) + 1) });
  if (schema.minimum !== undefined && typeof value === 'number') out.push({ what: `minimum ${where}`, apply: (r) => set(r, p, (schema.minimum as number) - 1) });
  if (Array.isArray(value)) {
    if (value.length > 0 && (schema['x-kubernetes-list-type'] === 'map' || schema['x-kubernetes-list-type'] === 'set')) {
      out.push({ what: `duplicate ${where}[0]`, apply: (r) => (at(r, p) as JsonValue[]).push(structuredClone(value[0] as JsonValue)) });
    }
    if (schema.maxItems !== undefined && value.length > 0 && schema.maxItems < 20) {
      out.push({ what: `maxItems ${where}`, apply: (r) => (at(r, p) as JsonValue[]).push(...Array.from({ length: (schema.maxItems as number) + 1 - value.length }, () => structuredClone(value[0] as JsonValue))) });
    }
    if (schema.minItems !== undefined && schema.minItems > 0) out.push({ what: `minItems ${where}`, apply: (r) => set(r, p, []) });
    value.forEach((item, i) => out.push(...breakages(item, schema.items ?? {}, [...p, i])));
  } else if (value !== null && typeof value === 'object') {
    for (const name of schema.required ?? []) {
      if (name in value) out.push({ what: `required ${show([...p, name])}`, apply: (r) => set(r, [...p, name], undefined) });
    }
    if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && !schema.additionalProperties) {
      out.push({ what: `unknown field ${show([...p, 'zzUnknown'])}`, apply: (r) => set(r, [...p, 'zzUnknown'], 'x') });
    }
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) out.push(...breakages(v, sub, [...p, k]));
    }
  }
  return out;
}
