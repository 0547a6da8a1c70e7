import type { CelEngine, EngineFieldError } from '../cel/engine.js';
import { celEngine } from '../cel/engine-node.js';
import { FIELD_ERROR_TYPES, NO_VALUE } from '../kube/field-error.js';
import type { FieldError, FieldErrorType } from '../kube/field-error.js';
import type { JsonValue } from '../kube/types.js';
import type { CompileContext, ValidationPass } from './compile-validator.js';
import type { Schema } from './structural.js';
import { addError } from './validator-context.js';
import type { Check } from './validator-context.js';
import { PortcullisError } from '../kube/errors.js';

/** CelRuleError reports x-kubernetes-validations the apiserver would refuse, in its words. */
export class CelRuleError extends PortcullisError {
  /** errors are the apiserver's field errors, paths relative to the schema. */
  readonly errors: readonly EngineFieldError[];
  constructor(errors: readonly EngineFieldError[]) {
    super('PCL_ERR_CEL_RULE', errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** CelRulesOptions configures createCelRulesPass. */
export interface CelRulesOptions {
  /** engine compiles and evaluates the rules; default celEngine(), loaded on the first schema with rules. */
  engine?: () => CelEngine;
}

/** BLOCKED_DETAIL is the apiserver's detail when earlier errors keep CEL rules from running. */
export const BLOCKED_DETAIL = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

const BLOCKING = new Set(['NotSupported', 'Required', 'TooLong', 'TooMany', 'TypeInvalid']);

/**
 * createCelRulesPass returns the pass that evaluates `x-kubernetes-validations`
 * with apiextensions-apiserver's own schema/cel validator (the CEL engine,
 * src/cel/engine.ts): the schema's rules compile once, at load, and are
 * checked there as the apiserver checks a new CRD (type checking against the
 * schema, estimated cost, fieldPath, messageExpression); a schema the apiserver
 * would refuse throws CelRuleError with its words (a refused CRD, as in the
 * apiserver); an engine that can't be loaded goes to the compile context
 * (a diagnostic in serve: the rules are not checked by Portcullis). Each validation sends the
 * whole object (and the old one on UPDATE, for transition rules and
 * ratcheting) to the engine once; its errors come sorted by field path
 * (the apiserver's order among properties is Go's random map order). Like the apiserver, the pass does not run
 * when earlier errors are of a blocking type (Required, NotSupported,
 * TooLong, TooMany, TypeInvalid); it reports one error saying so instead.
 */
export function createCelRulesPass(options: CelRulesOptions = {}): ValidationPass {
  const engine = options.engine ?? celEngine;
  return {
    name: 'cel-rules',
    ratchet: 'none',
    gate: (errors) => (errors.some((e) => BLOCKING.has(e.type)) ? { type: 'Invalid', field: '<nil>', badValue: null, detail: BLOCKED_DETAIL } : null),
    compile: () => null,
    compileRoot: (schema, context) => compileRules(schema, engine, context),
  };
}

function compileRules(schema: Schema, engine: () => CelEngine, context: CompileContext): Check | null {
  if (!hasRules(schema)) return null;
  let compiled;
  try {
    compiled = engine().compileSchema(schema as unknown as JsonValue);
  } catch (err) {
    // Portcullis can't run the rules (engine not built): a diagnostic, never a refused CRD.
    context.unsupported({ schema, what: 'x-kubernetes-validations', error: err as Error });
    return null;
  }
  // The apiserver would refuse this CRD: refused here too, with its words.
  if (compiled.errors.length > 0) throw new CelRuleError(compiled.errors);
  if (compiled.handle === 0) return null;
  const { handle } = compiled;
  return (value, old, _path, ctx) => {
    // The apiserver visits an object's properties in Go map order (random); sorting by path makes answers repeatable.
    const errors = engine().validate(handle, value, old).sort((a, b) => comparePaths(a.field, b.field));
    for (const error of errors) addError(ctx, toFieldError(error));
  };
}

/** comparePaths orders field paths by segment, list indexes by number (items[2] before items[10]). */
function comparePaths(a: string, b: string): number {
  const key = (p: string) => p.replace(/\[(\d+)\]/g, (_m, d: string) => `[${d.padStart(12, '0')}]`);
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** hasRules tells whether a schema or any schema below it declares x-kubernetes-validations. */
export function hasRules(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasRules);
  if (schema === null || typeof schema !== 'object') return false;
  const node = schema as Record<string, unknown>;
  const rules = node['x-kubernetes-validations'];
  if (Array.isArray(rules) && rules.length > 0) return true;
  return ['properties', 'items', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', 'not'].some((k) => {
    const sub = node[k];
    if (k === 'properties' && sub !== null && typeof sub === 'object') return Object.values(sub).some(hasRules);
    return hasRules(sub);
  });
}

const TYPE_BY_REASON = new Map<string, FieldErrorType>(Object.entries(FIELD_ERROR_TYPES).map(([type, t]) => [t.reason, type as FieldErrorType]));

/** toFieldError turns the engine's error into Portcullis' FieldError (which prints the same message). */
export function toFieldError(error: EngineFieldError): FieldError {
  const type = TYPE_BY_REASON.get(error.type) ?? 'Invalid';
  const out: FieldError = { type, field: error.field };
  if (error.omitValue === true) out.badValue = NO_VALUE;
  else if (error.badValue !== undefined) out.badValue = error.badValue;
  if (error.detail !== undefined && error.detail !== '') out.detail = error.detail;
  return out;
}
