import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import type { FieldError } from '../kube/field-error.js';
import { FieldPath } from '../kube/field-path.js';
import { compileComposition } from './composition.js';
import { compileDecodedView } from './decoded-view.js';
import { scaleErrors } from './scale.js';
import type { ScaleSubresource } from './scale.js';
import { correlatedEqual, createOldItemLookup } from './list-map-correlation.js';
import type { Schema } from './structural.js';
import { addError, createValidationContext, finishValidation, isFull } from './validator-context.js';
import type { Check, ValidationContext } from './validator-context.js';
import { compileEnumCheck, compileTypeCheck, compileValueChecks } from './value-checks.js';

/**
 * NodeExtension compiles extra checks for one schema node (Kubernetes
 * extensions such as list types or CEL rules). It returns null when the node
 * has nothing for it. Extensions run after the node's own checks, only when
 * the value has the right type.
 */
export type NodeExtension = (schema: Schema, context: CompileContext) => Check | null;

/**
 * UnsupportedCheck is a check of the schema that Portcullis cannot compile
 * (a CEL rule its engine rejects): the check is left out, the rest of the
 * schema is still enforced.
 */
export interface UnsupportedCheck {
  /** schema is the node holding the check. */
  schema: Schema;
  /** what names the check, e.g. `x-kubernetes-validations rule "isIP(self)"`. */
  what: string;
  error: Error;
}

/** CompileContext is what extensions get while compiling a node. */
export interface CompileContext {
  /** unsupported reports a check that does not compile and is skipped (by default it throws the error). */
  unsupported(check: UnsupportedCheck): void;
}

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
   * 'old-object' runs the pass only when oldObject itself passes it;
   * 'errors' checks everything and tells the checks through ctx.unchanged
   * which values are unchanged, so they can drop some errors (CEL rules).
   */
  readonly ratchet?: 'node' | 'none' | 'old-object' | 'errors';
  /** gate sees the errors so far; a non-null result is reported instead of running the pass. */
  readonly gate?: (errors: readonly FieldError[]) => FieldError | null;
  /**
   * stage 'decode' marks what the apiserver checks while decoding, before
   * validation: decode passes run first, and when one finds a problem only
   * its first error is reported (the request fails as a bad request).
   */
  readonly stage?: 'decode' | 'validate';
  /** onStatusUpdate false skips the pass on a /status update, as the status strategy does (embedded resources); default true. */
  readonly onStatusUpdate?: boolean;
}

/** CompileOptions tunes compileValidator. */
export interface CompileOptions {
  /** extensions add checks per node (merged into the schema walk) or passes (own walks, in order); default none. */
  extensions?: readonly (NodeExtension | ValidationPass)[];
  /** scale adds the apiserver's checks of the scale subresource's fields (see scaleErrors); default none. */
  scale?: ScaleSubresource | null;
  /**
   * decode validates the decoded view of each object (compileDecodedView:
   * pruned, non-nullable nulls dropped), as the apiserver validates a custom
   * resource; the registry sets it for CRD schemas. Default false: schema
   * fragments (policy rules) are not structural, pruning would drop what they
   * don't declare.
   */
  decode?: boolean;
  /**
   * onUnsupported receives each check that does not compile, which is then
   * skipped; without it, compileValidator throws that check's error.
   */
  onUnsupported?: (check: UnsupportedCheck) => void;
}

/** ValidateOptions tunes one validation run. */
export interface ValidateOptions {
  /** oldObject enables ratcheting: values equal to oldObject's at the same path are not re-validated. */
  oldObject?: JsonObject | null;
  /** maxErrors bounds the errors reported; default 100. */
  maxErrors?: number;
  /**
   * subresource 'status' validates as the apiserver's status strategy does
   * on a /status update: the schema's keywords only on `status` (against the
   * status schema, reported as `status.<path>` with messages worded relative
   * to status), scale status fields, list types and CEL rules on the whole
   * object, no embedded-resource checks. Default: the main resource.
   */
  subresource?: 'status';
}

/** ValidationResult is the outcome of validating one object. */
export interface ValidationResult {
  errors: FieldError[];
  /** truncated is true when more errors existed than maxErrors. */
  truncated: boolean;
  /** decodeFailed is true when the object fails where the apiserver decodes it (a 400, not a 422); errors then holds that one error. */
  decodeFailed?: boolean;
}

/** ObjectValidator validates whole objects against one compiled schema. */
export interface ObjectValidator {
  validate(object: JsonObject, options?: ValidateOptions): ValidationResult;
}

/** ROOT_SKIPPED are the root fields the apiserver validates elsewhere (ObjectMeta and type meta). */
const ROOT_SKIPPED = new Set(['metadata', 'apiVersion', 'kind']);

interface NodeOptions {
  extensions: readonly NodeExtension[];
  context: CompileContext;
  /** builtin includes the schema's own keywords (type, value checks, required, anyOf/oneOf/not). */
  builtin: boolean;
  /** ratchet skips values equal to their old counterpart. */
  ratchet: boolean;
  /** trackUnchanged maintains ctx.unchanged instead of skipping. */
  trackUnchanged?: boolean;
}

interface CompiledPass {
  check: Check | null;
  pass: ValidationPass;
}

/**
 * compileValidator compiles a CRD version's openAPIV3Schema once into a tree
 * of closures; validate() then walks only the object, or rather its decoded
 * view (compileDecodedView: what the apiserver validates), never changing it. Patterns are compiled
 * with RE2 here, so a bad pattern fails at load (Re2SyntaxError).
 */
export function compileValidator(schema: Schema, options: CompileOptions = {}): ObjectValidator {
  const all = options.extensions ?? [];
  const merged = all.filter((e): e is NodeExtension => typeof e === 'function');
  const view = options.decode === true ? compileDecodedView(schema) : null;
  const decodedView = (object: JsonObject): JsonObject => (view === null ? object : view(object).object);
  const context: CompileContext = {
    unsupported:
      options.onUnsupported ??
      ((check) => {
        throw check.error;
      }),
  };
  const builtin = compileNode(schema, { extensions: merged, context, builtin: true, ratchet: true }, true);
  const passes: CompiledPass[] = [];
  const statusSchema = schema.properties?.['status'];
  // Compiled on the first /status update: most objects never see one.
  let statusCheck: Check | null | undefined;
  const statusValidator = () => (statusCheck ??= statusSchema !== undefined ? compileBuiltinNode(statusSchema, { extensions: merged, context, builtin: true, ratchet: true }, false) : null);
  const declared = all.filter((e): e is ValidationPass => typeof e !== 'function');
  const decoders = declared.filter((p) => p.stage === 'decode').map((pass) => compileNode(schema, { extensions: [pass.compile], context, builtin: false, ratchet: false }, true));
  for (const pass of declared.filter((p) => p.stage !== 'decode')) {
    const ratchet = pass.ratchet !== 'none' && pass.ratchet !== 'errors';
    passes.push({ pass, check: compileNode(schema, { extensions: [pass.compile], context, builtin: false, ratchet, trackUnchanged: pass.ratchet === 'errors' }, true) });
  }
  return {
    validate(received, validateOptions = {}) {
      const object = decodedView(received);
      const old = isJsonObject(validateOptions.oldObject) ? decodedView(validateOptions.oldObject) : undefined;
      for (const decode of decoders) {
        const decodeCtx = createValidationContext({ maxErrors: 0 });
        decode?.(object, undefined, FieldPath.root(), decodeCtx);
        if (decodeCtx.errors.length > 0) return { errors: decodeCtx.errors.slice(0, 1), truncated: false, decodeFailed: true };
      }
      const ctx = createValidationContext({ maxErrors: validateOptions.maxErrors, ratcheting: old !== undefined });
      const onStatus = validateOptions.subresource === 'status';
      if (onStatus) validateStatus(statusValidator(), object, old, ctx);
      else builtin?.(object, old, FieldPath.root(), ctx);
      if (options.scale) for (const e of scaleErrors(object, options.scale, onStatus ? 'status' : 'spec-and-status')) addError(ctx, e);
      for (const compiled of passes) if (!(onStatus && compiled.pass.onStatusUpdate === false)) runPass(compiled, object, old, ctx);
      return finishValidation(ctx);
    },
  };
}

/** runPass runs one pass over the whole object, unless its gate blocks it or (ratchet 'old-object') oldObject fails it. */
function runPass({ pass, check }: CompiledPass, object: JsonObject, old: JsonObject | undefined, ctx: ValidationContext): void {
  if (check === null || isFull(ctx)) return;
  const blocked = pass.gate?.(ctx.errors) ?? null;
  if (blocked !== null) {
    addError(ctx, blocked);
    return;
  }
  if (pass.ratchet === 'old-object' && old !== undefined) {
    const oldCtx = createValidationContext({ maxErrors: 0 });
    check(old, undefined, FieldPath.root(), oldCtx);
    if (oldCtx.errors.length > 0) return;
  }
  check(object, old, FieldPath.root(), ctx);
}

/**
 * validateStatus runs the status schema's keywords on `status` alone, as the
 * apiserver's status validator does: rooted at status (so messages name
 * `conditions[0].type`), reported at `status.<path>` (`status` for errors at
 * its root and for anyOf/oneOf composite errors), ratcheted against the old status.
 */
function validateStatus(check: Check | null, object: JsonObject, old: JsonObject | undefined, ctx: ValidationContext): void {
  if (check === null || !hasOwn(object, 'status')) return;
  const first = ctx.errors.length;
  check(object['status'] as JsonValue, old?.['status'], FieldPath.root(), ctx);
  for (let i = first; i < ctx.errors.length; i++) {
    const error = ctx.errors[i] as FieldError;
    error.field = error.field === '' || error.field === '<nil>' ? 'status' : `status.${error.field}`;
  }
}

function compileNode(schema: Schema, opts: NodeOptions, isRoot = false): Check | null {
  return opts.builtin ? compileBuiltinNode(schema, opts, isRoot) : compilePassNode(schema, opts, isRoot);
}

/**
 * compileBuiltinNode checks a node as kube-openapi's SchemaValidator does:
 * every validator that applies to the value's actual kind runs, even after a
 * type error (type, anyOf/oneOf/allOf/not, string, format, number, array,
 * enum, then object properties and required); a null is only checked for
 * type and enum.
 */
function compileBuiltinNode(schema: Schema, opts: NodeOptions, isRoot: boolean): Check {
  const typeCheck = compileTypeCheck(schema);
  const composition = compileComposition(schema, (sub) => compileBuiltinNode(sub, opts, false));
  const checks: Check[] = compileValueChecks(schema);
  const enumCheck = compileEnumCheck(schema);
  for (const extension of opts.extensions) pushIf(checks, extension(schema, opts.context));
  const required = schema.required ?? [];
  const properties = compileProperties(schema, opts, isRoot);
  const additional = isJsonObject(schema.additionalProperties as JsonValue) ? compileBuiltinNode(schema.additionalProperties as Schema, opts, false) : null;
  const items = schema.items ? compileBuiltinNode(schema.items, opts, false) : null;
  const nullable = schema.nullable === true;
  const known = new Set(Object.keys(schema.properties ?? {}));
  const droppedNulls = droppedNullsOf(schema);
  const additionalSchema = isJsonObject(schema.additionalProperties as JsonValue) ? (schema.additionalProperties as Schema) : null;
  const additionalDropsNull = additionalSchema !== null && additionalSchema.nullable !== true && additionalSchema.default === undefined;

  return (value, old, path, ctx) => {
    if (isFull(ctx)) return;
    if (opts.ratchet && ctx.ratcheting && old !== undefined && correlatedEqual(schema, value, old)) return;
    ctx.matches++;
    const typeOk = typeCheck ? typeCheck(value, path, ctx) : true;
    if (value === null) {
      if (enumCheck && !(nullable && typeOk)) enumCheck(value, old, path, ctx);
      return;
    }
    composition?.(value, old, path, ctx);
    for (const check of checks) check(value, old, path, ctx);
    enumCheck?.(value, old, path, ctx);
    if (isJsonObject(value)) {
      const oldObj = isJsonObject(old) ? old : undefined;
      if (additional) {
        for (const key of Object.keys(value)) {
          if (known.has(key) || (value[key] === null && additionalDropsNull)) continue;
          additional(value[key] as JsonValue, oldObj?.[key], path.key(key), ctx);
        }
      }
      for (const [name, check] of properties) {
        if (isPresent(value, name, droppedNulls)) check(value[name] as JsonValue, oldObj?.[name], path.child(name), ctx);
      }
      for (const name of required) {
        if (!isPresent(value, name, droppedNulls)) addError(ctx, { type: 'Required', field: path.child(name).toString() });
      }
    } else if (Array.isArray(value) && items) {
      walkItems(schema, items, value, old, path, ctx);
    }
  };
}

/**
 * droppedNullsOf names the properties whose null the apiserver drops while
 * decoding (PruneNonNullableNullsWithoutDefaults: not nullable, no default),
 * so a null there counts as absent.
 */
function droppedNullsOf(schema: Schema): Set<string> {
  const out = new Set<string>();
  for (const [name, sub] of Object.entries(schema.properties ?? {})) if (sub.nullable !== true && sub.default === undefined) out.add(name);
  return out;
}

function isPresent(value: JsonObject, name: string, droppedNulls: ReadonlySet<string>): boolean {
  return hasOwn(value, name) && !(value[name] === null && droppedNulls.has(name));
}

/** compilePassNode compiles one pass's checks; subtrees without any are left out (null). */
function compilePassNode(schema: Schema, opts: NodeOptions, isRoot: boolean): Check | null {
  const checks: Check[] = [];
  for (const sub of schema.allOf ?? []) pushIf(checks, compilePassNode(sub, opts, false));
  for (const extension of opts.extensions) pushIf(checks, extension(schema, opts.context));
  const properties = compileProperties(schema, opts, isRoot);
  const additional = isJsonObject(schema.additionalProperties as JsonValue) ? compilePassNode(schema.additionalProperties as Schema, opts, false) : null;
  const items = schema.items ? compilePassNode(schema.items, opts, false) : null;
  if (checks.length === 0 && properties.size === 0 && additional === null && items === null) return null;
  const known = new Set(Object.keys(schema.properties ?? {}));

  const visit: Check = (value, old, path, ctx) => {
    if (isFull(ctx)) return;
    if (opts.ratchet && ctx.ratcheting && old !== undefined && correlatedEqual(schema, value, old)) return;
    // Passes see values of the wrong type too (CEL rules then read an invalid-data error, as in the apiserver).
    if (value === null) return;
    for (const check of checks) check(value, old, path, ctx);
    if (isJsonObject(value)) {
      const oldObj = isJsonObject(old) ? old : undefined;
      for (const [name, check] of properties) {
        if (hasOwn(value, name)) check(value[name] as JsonValue, oldObj?.[name], path.child(name), ctx);
      }
      if (additional) {
        for (const key of Object.keys(value)) {
          if (!known.has(key)) additional(value[key] as JsonValue, oldObj?.[key], path.mapKey(key), ctx);
        }
      }
    } else if (Array.isArray(value) && items) {
      walkItems(schema, items, value, old, path, ctx);
    }
  };
  if (opts.trackUnchanged !== true) return visit;
  return (value, old, path, ctx) => {
    const outer = ctx.unchanged;
    // A correlatable value is unchanged when equal to its old value; an uncorrelatable one inherits from its parent.
    if (ctx.ratcheting && old !== undefined) ctx.unchanged = correlatedEqual(schema, value, old);
    visit(value, old, path, ctx);
    ctx.unchanged = outer;
  };
}

/** walkItems checks list items; only list-type map items correlate with oldObject (by key), others have no old counterpart. */
function walkItems(schema: Schema, items: Check, value: JsonValue[], old: JsonValue | undefined, path: FieldPath, ctx: ValidationContext): void {
  const oldItem = createOldItemLookup(schema, old);
  for (let i = 0; i < value.length && !isFull(ctx); i++) {
    const item = value[i] as JsonValue;
    items(item, old === undefined ? undefined : oldItem(item), path.index(i), ctx);
  }
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
