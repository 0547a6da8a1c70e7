import { deepCopy } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { ConversionError } from './conversion-error.js';
import type { CompiledExpression, ExpressionEngine, ExpressionScope } from './expressions.js';
import { createDraft } from './object-draft.js';
import type { ObjectDraft } from './object-draft.js';
import { displayPath, ObjectPathError, parseObjectPath } from '../kube/object-path.js';
import type { KeyPath, PathSegment } from '../kube/object-path.js';
import type { InputsFunction } from './kind-converter.js';
import { errorMessage } from '../kube/errors.js';

/**
 * MappingRule is one compiled step of a declarative mapping. Steps run in
 * order on a copy of the source object; every expression (`when`,
 * `expression`, `check`) sees the source object as received, so the order
 * of steps never changes what an expression reads.
 */
export type MappingRule = { field: string; when?: CompiledExpression } & (
  | { op: 'move'; from: KeyPath; to: KeyPath }
  | { op: 'set'; path: KeyPath; value: JsonValue }
  | { op: 'compute'; path: KeyPath; expression: CompiledExpression }
  | { op: 'remove'; path: KeyPath }
  | { op: 'require'; check: CompiledExpression; message: string }
);

/** MappingFunction converts one object's fields (never apiVersion, kind or metadata). It throws ConversionError. */
export type MappingFunction = (source: JsonObject) => JsonObject;



/**
 * compileRule checks one rule as written in a Conversion document and
 * compiles its expressions. Forms: `{move: FROM, to: TO}`,
 * `{set: PATH, value: JSON}`, `{set: PATH, expression: CEL}`,
 * `{remove: PATH}`, `{require: CEL, field: PATH, message: TEXT}`; each may
 * add `when: CEL` (a bool). Throws an Error naming the offending key.
 */
export function compileRule(raw: JsonValue, engine: ExpressionEngine): MappingRule {
  if (!isJsonObject(raw)) throw new Error('must be an object');
  const ops = ['move', 'set', 'remove', 'require'].filter((op) => raw[op] !== undefined);
  if (ops.length !== 1) throw new Error(`must have exactly one of move, set, remove, require (found ${ops.length === 0 ? 'none' : ops.join(', ')})`);
  const op = ops[0] as string;
  const allowed: Record<string, string[]> = {
    move: ['move', 'to', 'when'],
    set: ['set', 'value', 'expression', 'when'],
    remove: ['remove', 'when'],
    require: ['require', 'field', 'message', 'when'],
  };
  for (const key of Object.keys(raw)) if (!(allowed[op] as string[]).includes(key)) throw new Error(`${key}: not allowed in a ${op} rule`);
  const when = raw['when'] === undefined ? undefined : compileExpression(raw['when'], 'when', engine, 'bool');
  const withWhen = <T extends object>(rule: T): T => (when ? { ...rule, when } : rule);
  switch (op) {
    case 'move': {
      const from = path(raw['move'], 'move');
      return withWhen({ op: 'move', field: displayPath(from), from, to: path(raw['to'], 'to') });
    }
    case 'remove': {
      const target = path(raw['remove'], 'remove');
      return withWhen({ op: 'remove', field: displayPath(target), path: target });
    }
    case 'require': {
      const field = raw['field'];
      const message = raw['message'];
      if (typeof field !== 'string' || field === '') throw new Error('field: must name the field the check is about');
      if (typeof message !== 'string' || message === '') throw new Error('message: must say what is wrong');
      return withWhen({ op: 'require', field, check: compileExpression(raw['require'], 'require', engine, 'bool'), message });
    }
    default: {
      const target = path(raw['set'], 'set');
      const hasValue = raw['value'] !== undefined;
      const hasExpression = raw['expression'] !== undefined;
      if (hasValue === hasExpression) throw new Error('a set rule needs exactly one of value (a constant) or expression (CEL)');
      const field = displayPath(target);
      if (hasValue) return withWhen({ op: 'set', field, path: target, value: deepCopy(raw['value'] as JsonValue) });
      return withWhen({ op: 'compute', field, path: target, expression: compileExpression(raw['expression'], 'expression', engine) });
    }
  }
}

/**
 * createMapping returns the function that applies rules in order to the
 * source object, copy-on-write: the source is never modified and the result
 * shares every untouched part with it. Fields no rule names pass through,
 * which is how unknown and preserved fields survive. A compute that yields
 * null leaves its field unset.
 */
export function createMapping(rules: readonly MappingRule[], engine: ExpressionEngine): MappingFunction {
  const fields = topLevelReads(rules);
  const scopeOptions = fields ? { fields } : {};
  return (source) => {
    const draft = createDraft(source);
    const scope = engine.scope(source, scopeOptions);
    for (const rule of rules) {
      if (rule.when && !isTrue(rule.when, scope, rule.field)) continue;
      applyRule(rule, draft, scope);
    }
    // The kind converter sets apiVersion, kind and metadata on the result: it must be our own object.
    const out = draft.result();
    return out === source ? { ...source } : out;
  };
}

/**
 * topLevelReads returns the top-level fields the rules' expressions read,
 * or undefined when one may read the whole object or can't tell.
 */
function topLevelReads(rules: readonly MappingRule[]): string[] | undefined {
  const fields = new Set<string>();
  for (const rule of rules) {
    for (const expression of [rule.when, rule.op === 'compute' ? rule.expression : rule.op === 'require' ? rule.check : undefined]) {
      if (expression === undefined) continue;
      if (expression.reads === undefined) return undefined;
      for (const path of expression.reads) {
        if (path.length === 0) return undefined;
        fields.add(path[0] as string);
      }
    }
  }
  return [...fields];
}

/**
 * mappingInputs returns the InputsFunction of rules: every rule that writes
 * or removes a field overlapping `target` contributes what its `when` and
 * expression read (and a move its source). Undefined when such an
 * expression can't say what it reads.
 */
export function mappingInputs(rules: readonly MappingRule[]): InputsFunction {
  return (target) => {
    const inputs: KeyPath[] = [target];
    for (const rule of rules) {
      if (!writes(rule).some((path) => overlaps(path, target))) continue;
      for (const expression of [rule.when, rule.op === 'compute' ? rule.expression : undefined]) {
        if (expression === undefined) continue;
        if (expression.reads === undefined) return undefined;
        inputs.push(...expression.reads);
      }
      if (rule.op === 'move') inputs.push(rule.from);
    }
    return inputs;
  };
}

function writes(rule: MappingRule): KeyPath[] {
  switch (rule.op) {
    case 'move':
      return [rule.from, rule.to];
    case 'set':
    case 'compute':
    case 'remove':
      return [rule.path];
    case 'require':
      return [];
  }
}

/** overlaps tells whether one path is a prefix of the other (the same field, or one inside the other). */
function overlaps(a: KeyPath, b: KeyPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function applyRule(rule: MappingRule, draft: ObjectDraft, scope: ExpressionScope): void {
  switch (rule.op) {
    case 'move': {
      const value = draft.get(rule.from);
      if (value === undefined) return;
      draft.remove(rule.from);
      draft.set(rule.to, value);
      return;
    }
    case 'set':
      draft.set(rule.path, deepCopy(rule.value));
      return;
    case 'compute': {
      const value = evaluate(rule.expression, scope, rule.field);
      if (value === null) draft.remove(rule.path);
      else draft.set(rule.path, value);
      return;
    }
    case 'remove':
      draft.remove(rule.path);
      return;
    case 'require':
      if (!isTrue(rule.check, scope, rule.field)) throw new ConversionError({ field: rule.field, message: rule.message });
  }
}

function isTrue(expression: CompiledExpression, scope: ExpressionScope, field: string): boolean {
  const value = evaluate(expression, scope, field);
  if (typeof value !== 'boolean') throw new ConversionError({ field, message: `expression ${JSON.stringify(expression.source)} must yield a bool` });
  return value;
}

function evaluate(expression: CompiledExpression, scope: ExpressionScope, field: string): JsonValue {
  try {
    return expression.evaluate(scope);
  } catch (err) {
    throw new ConversionError({ field, message: `${errorMessage(err)} (in ${JSON.stringify(expression.source)})`, cause: err });
  }
}

const TOP_LEVEL_RESERVED = new Set(['apiVersion', 'kind', 'metadata']);
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * path parses a rule's field path (docs/paths.md). Conversion rules name
 * object fields only (no `[N]`); the object's apiVersion, kind and metadata
 * are off limits (the converter sets the first two and the apiserver keeps
 * metadata), and so are `__proto__`, `constructor` and `prototype`.
 */
function path(value: JsonValue | undefined, key: string): KeyPath {
  if (typeof value !== 'string') throw new Error(`${key}: must be a field path string`);
  let segments: readonly PathSegment[];
  try {
    ({ segments } = parseObjectPath(value));
  } catch (err) {
    if (err instanceof ObjectPathError) throw new Error(`${key}: ${err.detail}`, { cause: err });
    throw err;
  }
  const keys: string[] = [];
  for (const segment of segments) {
    if (typeof segment === 'number') throw new Error(`${key}: ${JSON.stringify(value)}: conversion rules name object fields, not list items ([${segment}])`);
    if (PROTOTYPE_KEYS.has(segment)) throw new Error(`${key}: segment ${JSON.stringify(segment)} is not allowed`);
    keys.push(segment);
  }
  if (TOP_LEVEL_RESERVED.has(keys[0] as string)) throw new Error(`${key}: ${keys[0]} is managed by the converter and the apiserver, not by rules`);
  return keys;
}

function compileExpression(value: JsonValue | undefined, key: string, engine: ExpressionEngine, resultType?: string): CompiledExpression {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${key}: must be a CEL expression string`);
  try {
    return engine.compile(value, resultType ? { resultType } : {});
  } catch (err) {
    throw new Error(`${key}: ${errorMessage(err)}`, { cause: err });
  }
}
