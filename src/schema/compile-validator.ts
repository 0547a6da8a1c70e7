import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepEqual, hasOwn } from '../kube/safe-object.js';
import type { FieldError } from './field-error.js';
import { FieldPath } from './field-path.js';
import type { Schema } from './structural.js';
import { addError, createValidationContext } from './validator-context.js';
import type { Check, ValidationContext } from './validator-context.js';
import { compileTypeCheck, compileValueChecks } from './value-checks.js';

/**
 * NodeExtension compiles extra checks for one schema node (Kubernetes
 * extensions such as list types or CEL rules). It returns null when the node
 * has nothing for it. Extensions run after the node's own checks, only when
 * the value has the right type.
 */
export type NodeExtension = (schema: Schema) => Check | null;

/** CompileOptions tunes compileValidator. */
export interface CompileOptions {
  /** extensions add checks per node; default none. */
  extensions?: readonly NodeExtension[];
}

/** ValidateOptions tunes one validation run. */
export interface ValidateOptions {
  /** oldObject enables ratcheting: values equal to oldObject's at the same path are not re-validated. */
  oldObject?: JsonObject | null;
  /** maxErrors bounds the errors reported; default 100. */
  maxErrors?: number;
}

/** ValidationResult is the outcome of validating one object. */
export interface ValidationResult {
  errors: FieldError[];
  /** truncated is true when more errors existed than maxErrors. */
  truncated: boolean;
}

/** ObjectValidator validates whole objects against one compiled schema. */
export interface ObjectValidator {
  validate(object: JsonObject, options?: ValidateOptions): ValidationResult;
}

/** ROOT_SKIPPED are the root fields the apiserver validates elsewhere (ObjectMeta and type meta). */
const ROOT_SKIPPED = new Set(['metadata', 'apiVersion', 'kind']);

/**
 * compileValidator compiles a CRD version's openAPIV3Schema once into a tree
 * of closures; validate() then walks only the object. Patterns are compiled
 * with RE2 here, so a bad pattern fails at load (PatternSyntaxError).
 */
export function compileValidator(schema: Schema, options: CompileOptions = {}): ObjectValidator {
  const extensions = options.extensions ?? [];
  const root = compileNode(schema, extensions, true);
  return {
    validate(object, validateOptions = {}) {
      const ctx = createValidationContext({ maxErrors: validateOptions.maxErrors, ratcheting: isJsonObject(validateOptions.oldObject) });
      const old = isJsonObject(validateOptions.oldObject) ? validateOptions.oldObject : undefined;
      root(object, old, FieldPath.root(), ctx);
      return { errors: ctx.errors, truncated: ctx.truncated };
    },
  };
}

function compileNode(schema: Schema, extensions: readonly NodeExtension[], isRoot = false): Check {
  const typeCheck = compileTypeCheck(schema);
  const checks: Check[] = [...compileValueChecks(schema)];
  for (const sub of schema.allOf ?? []) checks.push(compileNode(sub, extensions));
  if (schema.anyOf) checks.push(compileAnyOf(schema.anyOf, extensions));
  if (schema.oneOf) checks.push(compileOneOf(schema.oneOf, extensions));
  if (schema.not) checks.push(compileNot(schema.not, extensions));
  const required = schema.required ?? [];
  const properties = compileProperties(schema, extensions, isRoot);
  const additional = isJsonObject(schema.additionalProperties as JsonValue) ? compileNode(schema.additionalProperties as Schema, extensions) : null;
  const items = schema.items ? compileNode(schema.items, extensions) : null;
  for (const extension of extensions) {
    const check = extension(schema);
    if (check) checks.push(check);
  }
  const nullable = schema.nullable === true;

  return (value, old, path, ctx) => {
    if (ctx.ratcheting && old !== undefined && deepEqual(value, old)) return;
    if (typeCheck && !typeCheck(value, path, ctx)) return;
    if (value === null && nullable) return;
    for (const check of checks) check(value, old, path, ctx);
    if (isJsonObject(value)) {
      const oldObj = isJsonObject(old) ? old : undefined;
      for (const [name, check] of properties) {
        if (hasOwn(value, name)) check(value[name] as JsonValue, oldObj?.[name], path.child(name), ctx);
      }
      for (const name of required) {
        if (!hasOwn(value, name)) addError(ctx, { type: 'Required', field: path.child(name).toString() });
      }
      if (additional) {
        for (const key of Object.keys(value)) {
          if (!properties.has(key)) additional(value[key] as JsonValue, oldObj?.[key], path.key(key), ctx);
        }
      }
    } else if (Array.isArray(value) && items) {
      // Items are not correlated with oldObject by index; list-type map
      // correlation is done by the list-type extension.
      for (let i = 0; i < value.length; i++) items(value[i] as JsonValue, undefined, path.index(i), ctx);
    }
  };
}

function compileProperties(schema: Schema, extensions: readonly NodeExtension[], isRoot: boolean): Map<string, Check> {
  const out = new Map<string, Check>();
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (isRoot && ROOT_SKIPPED.has(name)) continue;
    out.set(name, compileNode(sub, extensions));
  }
  return out;
}

function passes(check: Check, value: JsonValue, path: FieldPath, ratcheting: boolean): boolean {
  const scratch: ValidationContext = createValidationContext({ maxErrors: 1, ratcheting });
  check(value, undefined, path, scratch);
  return scratch.errors.length === 0;
}

function compileAnyOf(subs: Schema[], extensions: readonly NodeExtension[]): Check {
  const checks = subs.map((s) => compileNode(s, extensions));
  return (value, _old, path, ctx) => {
    if (!checks.some((c) => passes(c, value, path, false))) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must validate at least one schema (anyOf)` });
    }
  };
}

function compileOneOf(subs: Schema[], extensions: readonly NodeExtension[]): Check {
  const checks = subs.map((s) => compileNode(s, extensions));
  return (value, _old, path, ctx) => {
    const n = checks.filter((c) => passes(c, value, path, false)).length;
    if (n !== 1) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must validate one and only one schema (oneOf)` });
    }
  };
}

function compileNot(sub: Schema, extensions: readonly NodeExtension[]): Check {
  const check = compileNode(sub, extensions);
  return (value, _old, path, ctx) => {
    if (passes(check, value, path, false)) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must not validate the schema (not)` });
    }
  };
}
