import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepEqual, hasOwn } from '../kube/safe-object.js';
import type { FieldError } from './field-error.js';
import { FieldPath } from './field-path.js';
import { createOldItemLookup } from './list-map-correlation.js';
import type { Schema } from './structural.js';
import { matchesSchemaType } from './structural.js';
import { addError, createValidationContext, finishValidation, isFull } from './validator-context.js';
import type { Check, ValidationContext } from './validator-context.js';
import { compileTypeCheck, compileValueChecks } from './value-checks.js';

/**
 * NodeExtension compiles extra checks for one schema node (Kubernetes
 * extensions such as list types or CEL rules). It returns null when the node
 * has nothing for it. Extensions run after the node's own checks, only when
 * the value has the right type.
 */
export type NodeExtension = (schema: Schema) => Check | null;

/**
 * ValidationPass is an extension that walks the object on its own, after the
 * schema's checks and the passes before it, so errors come out in the
 * apiserver's order (schema, embedded resources, list types, CEL rules).
 */
export interface ValidationPass {
  /** name identifies the pass. */
  readonly name: string;
  /** compile returns the pass's check for one node, or null. */
  readonly compile: NodeExtension;
  /**
   * ratchet says how UPDATE treats unchanged values: 'node' (default) skips
   * values equal to oldObject's at the same path; 'none' checks everything;
   * 'old-object' runs the pass only when oldObject itself passes it.
   */
  readonly ratchet?: 'node' | 'none' | 'old-object';
  /** gate sees the errors so far; a non-null result is reported instead of running the pass. */
  readonly gate?: (errors: readonly FieldError[]) => FieldError | null;
}

/** CompileOptions tunes compileValidator. */
export interface CompileOptions {
  /** extensions add checks per node (merged into the schema walk) or passes (own walks, in order); default none. */
  extensions?: readonly (NodeExtension | ValidationPass)[];
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

interface NodeOptions {
  extensions: readonly NodeExtension[];
  /** builtin includes the schema's own keywords (type, value checks, required, anyOf/oneOf/not). */
  builtin: boolean;
  /** ratchet skips values equal to their old counterpart. */
  ratchet: boolean;
}

interface CompiledPass {
  check: Check | null;
  pass: ValidationPass | null;
}

/**
 * compileValidator compiles a CRD version's openAPIV3Schema once into a tree
 * of closures; validate() then walks only the object. Patterns are compiled
 * with RE2 here, so a bad pattern fails at load (PatternSyntaxError).
 */
export function compileValidator(schema: Schema, options: CompileOptions = {}): ObjectValidator {
  const all = options.extensions ?? [];
  const merged = all.filter((e): e is NodeExtension => typeof e === 'function');
  const passes: CompiledPass[] = [{ pass: null, check: compileNode(schema, { extensions: merged, builtin: true, ratchet: true }, true) }];
  for (const pass of all.filter((e): e is ValidationPass => typeof e !== 'function')) {
    passes.push({ pass, check: compileNode(schema, { extensions: [pass.compile], builtin: false, ratchet: pass.ratchet !== 'none' }, true) });
  }
  return {
    validate(object, validateOptions = {}) {
      const old = isJsonObject(validateOptions.oldObject) ? validateOptions.oldObject : undefined;
      const ctx = createValidationContext({ maxErrors: validateOptions.maxErrors, ratcheting: old !== undefined });
      for (const { pass, check } of passes) {
        if (check === null || isFull(ctx)) continue;
        const blocked = pass?.gate?.(ctx.errors) ?? null;
        if (blocked !== null) {
          addError(ctx, blocked);
          continue;
        }
        if (pass?.ratchet === 'old-object' && old !== undefined) {
          const oldCtx = createValidationContext({ maxErrors: 0 });
          check(old, undefined, FieldPath.root(), oldCtx);
          if (oldCtx.errors.length > 0) continue;
        }
        check(object, old, FieldPath.root(), ctx);
      }
      return finishValidation(ctx);
    },
  };
}

function compileNode(schema: Schema, opts: NodeOptions, isRoot = false): Check | null {
  const typeCheck = opts.builtin ? compileTypeCheck(schema) : null;
  const checks: Check[] = opts.builtin ? [...compileValueChecks(schema)] : [];
  for (const sub of schema.allOf ?? []) pushIf(checks, compileNode(sub, opts));
  if (opts.builtin) {
    if (schema.anyOf) checks.push(compileAnyOf(schema.anyOf, opts));
    if (schema.oneOf) checks.push(compileOneOf(schema.oneOf, opts));
    if (schema.not) checks.push(compileNot(schema.not, opts));
  }
  const required = opts.builtin ? (schema.required ?? []) : [];
  const properties = compileProperties(schema, opts, isRoot);
  const additional = isJsonObject(schema.additionalProperties as JsonValue) ? compileNode(schema.additionalProperties as Schema, opts) : null;
  const items = schema.items ? compileNode(schema.items, opts) : null;
  for (const extension of opts.extensions) pushIf(checks, extension(schema));
  if (!opts.builtin && checks.length === 0 && properties.size === 0 && additional === null && items === null) return null;
  const nullable = schema.nullable === true;
  const known = new Set(Object.keys(schema.properties ?? {}));
  const keyOf = opts.builtin ? (p: FieldPath, k: string) => p.key(k) : (p: FieldPath, k: string) => p.mapKey(k);

  return (value, old, path, ctx) => {
    if (isFull(ctx)) return;
    if (opts.ratchet && ctx.ratcheting && old !== undefined && deepEqual(value, old)) return;
    if (typeCheck ? !typeCheck(value, path, ctx) : !opts.builtin && !matchesSchemaType(schema, value)) return;
    if (value === null && (nullable || !opts.builtin)) return;
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
          if (!known.has(key)) additional(value[key] as JsonValue, oldObj?.[key], keyOf(path, key), ctx);
        }
      }
    } else if (Array.isArray(value) && items) {
      // Only list-type map items correlate with oldObject (by their keys);
      // items of other lists have no old counterpart.
      const oldItem = createOldItemLookup(schema, old);
      for (let i = 0; i < value.length && !isFull(ctx); i++) {
        const item = value[i] as JsonValue;
        items(item, old === undefined ? undefined : oldItem(item), path.index(i), ctx);
      }
    }
  };
}

function pushIf(checks: Check[], check: Check | null): void {
  if (check !== null) checks.push(check);
}

function compileProperties(schema: Schema, opts: NodeOptions, isRoot: boolean): Map<string, Check> {
  const out = new Map<string, Check>();
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (isRoot && ROOT_SKIPPED.has(name)) continue;
    const check = compileNode(sub, opts);
    if (check !== null) out.set(name, check);
  }
  return out;
}

function passes(check: Check, value: JsonValue, path: FieldPath, ratcheting: boolean): boolean {
  const scratch: ValidationContext = createValidationContext({ maxErrors: 0, ratcheting });
  check(value, undefined, path, scratch);
  return scratch.errors.length === 0;
}

function compileSubs(subs: Schema[], opts: NodeOptions): Check[] {
  return subs.map((s) => compileNode(s, opts) ?? (() => undefined));
}

function compileAnyOf(subs: Schema[], opts: NodeOptions): Check {
  const checks = compileSubs(subs, opts);
  return (value, _old, path, ctx) => {
    if (!checks.some((c) => passes(c, value, path, false))) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must validate at least one schema (anyOf)` });
    }
  };
}

function compileOneOf(subs: Schema[], opts: NodeOptions): Check {
  const checks = compileSubs(subs, opts);
  return (value, _old, path, ctx) => {
    const n = checks.filter((c) => passes(c, value, path, false)).length;
    if (n !== 1) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must validate one and only one schema (oneOf)` });
    }
  };
}

function compileNot(sub: Schema, opts: NodeOptions): Check {
  const check = compileNode(sub, opts) ?? (() => undefined);
  return (value, _old, path, ctx) => {
    if (passes(check, value, path, false)) {
      addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} in body must not validate the schema (not)` });
    }
  };
}
