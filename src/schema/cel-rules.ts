import type { CelEngine, CompiledSchemaRules, EngineFieldError } from '../cel/engine.js';
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
 * would refuse goes, rule by rule, to the compile context as CelRuleError
 * with its words: compileValidator throws it (a refused CRD, as in the
 * apiserver) unless onUnsupported tolerates it (serve: a diagnostic, and the
 * schema's other rules still run). An engine that can't be loaded goes there
 * too, for all of the schema's rules. Each validation sends the
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
  let compiled: CompiledSchemaRules;
  try {
    compiled = engine().compileSchema(schema as unknown as JsonValue);
    if (compiled.errors.length > 0) compiled = withoutRefusedRules(schema, compiled, engine(), context);
  } catch (err) {
    // Portcullis can't run the rules (engine not built): a diagnostic, never a refused CRD.
    context.unsupported({ schema, what: 'x-kubernetes-validations', error: err as Error });
    return null;
  }
  if (compiled.handle === 0) return null;
  const { handle } = compiled;
  return (value, old, _path, ctx) => {
    // The apiserver visits an object's properties in Go map order (random); sorting by path makes answers repeatable.
    const errors = engine().validate(handle, value, old).sort((a, b) => comparePaths(a.field, b.field));
    for (const error of errors) addError(ctx, toFieldError(error));
  };
}

/**
 * withoutRefusedRules reports each rule the apiserver refuses to the context
 * (by default that throws: the CRD is refused with the apiserver's words;
 * serve tolerates it as a diagnostic) and compiles the schema without them,
 * so the others still run. A refusal no single rule owns (the schema's total
 * cost) is reported for the whole schema, whose rules are then all skipped.
 */
function withoutRefusedRules(schema: Schema, compiled: CompiledSchemaRules, engine: CelEngine, context: CompileContext): CompiledSchemaRules {
  const copy = structuredClone(schema);
  const { refused, unowned } = groupByRule(copy, compiled.errors);
  if (compiled.handle !== 0) engine.release(compiled.handle);
  if (unowned.length > 0) {
    context.unsupported({ schema, what: 'x-kubernetes-validations', error: new CelRuleError(compiled.errors) });
    return { handle: 0, errors: [] };
  }
  const original = new Map<Schema, Schema>();
  pairNodes(copy, schema, original);
  for (const node of preOrder(copy)) {
    const byIndex = refused.get(node);
    if (byIndex === undefined) continue;
    const rules = node['x-kubernetes-validations'] ?? [];
    for (const [index, errors] of [...byIndex].sort(([x], [y]) => x - y)) {
      context.unsupported({ schema: original.get(node) ?? node, what: `x-kubernetes-validations rule ${JSON.stringify(rules[index]?.rule ?? '')}`, error: new CelRuleError(errors) });
    }
    node['x-kubernetes-validations'] = rules.filter((_r, i) => !byIndex.has(i));
  }
  const again = engine.compileSchema(copy as unknown as JsonValue);
  if (again.errors.length === 0) return again;
  if (again.handle !== 0) engine.release(again.handle);
  context.unsupported({ schema, what: 'x-kubernetes-validations', error: new CelRuleError(again.errors) });
  return { handle: 0, errors: [] };
}

/** groupByRule sorts refusals by the rule (node, index) they name; those naming no rule are unowned. */
function groupByRule(root: Schema, errors: readonly EngineFieldError[]): { refused: Map<Schema, Map<number, EngineFieldError[]>>; unowned: EngineFieldError[] } {
  const refused = new Map<Schema, Map<number, EngineFieldError[]>>();
  const unowned: EngineFieldError[] = [];
  for (const error of errors) {
    const owner = ruleOwner(root, error.field);
    if (owner === null) {
      unowned.push(error);
      continue;
    }
    const byIndex = refused.get(owner.node) ?? new Map<number, EngineFieldError[]>();
    byIndex.set(owner.index, [...(byIndex.get(owner.index) ?? []), error]);
    refused.set(owner.node, byIndex);
  }
  return { refused, unowned };
}

const SEGMENT = /^(?:properties\[([^\]]*)\]|(items)|(additionalProperties)|(allOf|anyOf|oneOf)\[(\d+)\]|(not))\.?/;

/** ruleOwner finds the node and index of the rule an error's path (`properties[spec].x-kubernetes-validations[0].rule`) names. */
function ruleOwner(root: Schema, field: string): { node: Schema; index: number } | null {
  let node: Schema | undefined = root;
  let rest = field;
  for (;;) {
    const rule = /^x-kubernetes-validations\[(\d+)\](?:\.\w+)?$/.exec(rest);
    if (rule !== null) return node === undefined ? null : { node, index: Number(rule[1]) };
    const m = SEGMENT.exec(rest);
    if (m === null || node === undefined) return null;
    rest = rest.slice(m[0].length);
    if (m[1] !== undefined) node = node.properties?.[m[1]];
    else if (m[2] !== undefined) node = node.items;
    else if (m[3] !== undefined) node = typeof node.additionalProperties === 'object' ? (node.additionalProperties as Schema) : undefined;
    else if (m[4] !== undefined) node = (node[m[4] as 'allOf'] as Schema[] | undefined)?.[Number(m[5])];
    else node = node.not as Schema | undefined;
  }
}

function children(node: Schema): Schema[] {
  const out: Schema[] = Object.values(node.properties ?? {});
  if (node.items !== undefined) out.push(node.items);
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) out.push(node.additionalProperties as Schema);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) out.push(...((node[k] as Schema[] | undefined) ?? []));
  if (node.not !== undefined) out.push(node.not as Schema);
  return out;
}

function preOrder(node: Schema): Schema[] {
  return [node, ...children(node).flatMap(preOrder)];
}

/** pairNodes maps each node of a schema's copy to the original node (diagnostics name the original). */
function pairNodes(copy: Schema, original: Schema, out: Map<Schema, Schema>): void {
  out.set(copy, original);
  const [a, b] = [children(copy), children(original)];
  a.forEach((c, i) => pairNodes(c, b[i] as Schema, out));
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
