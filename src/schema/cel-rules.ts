import { Optional } from '@marcbachmann/cel-js';
import type { JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { CelEnvironment, CelProgram } from '../cel/environment.js';
import { CelRuntimeError } from '../cel/library.js';
import { emptyStats } from '../cel/values.js';
import type { CompileContext, ValidationPass } from './compile-validator.js';
import type { FieldError } from '../kube/field-error.js';
import { NO_VALUE } from '../kube/field-error.js';
import type { FieldPath } from '../kube/field-path.js';
import type { Schema, ValidationRule } from './structural.js';
import { rewriteCelRule, swapLogicalOperands } from './cel-rewrites.js';
import { rootCelValue, toCheckedCelValue } from './cel-value.js';
import { addError } from './validator-context.js';
import type { Check } from './validator-context.js';
import { errorMessage, PortcullisError } from '../kube/errors.js';

/** CelRuleError reports an x-kubernetes-validations rule that does not compile. */
export class CelRuleError extends PortcullisError {
  constructor(rule: string, cause: unknown) {
    super('PCL_ERR_CEL_RULE', `x-kubernetes-validations rule ${JSON.stringify(rule)} does not compile: ${errorMessage(cause)}`, { cause });
  }
}

/** CelRulesOptions configures createCelRulesPass. */
export interface CelRulesOptions {
  /** environment compiles the rules; it must declare `self` and `oldSelf` (dyn). */
  environment: CelEnvironment;
}

interface CompiledRule {
  rule: ValidationRule;
  program: CelProgram;
  /** swapped has the operands of every ||/&& swapped; it is run only to word an evaluation error as cel-go does. */
  swapped: CelProgram | null;
  message: CelProgram | null;
  usesOldSelf: boolean;
  /** fieldPath is the rule's fieldPath relative to the node, rendered, without a leading dot. */
  fieldPath: string;
}

/** BLOCKED_DETAIL is the apiserver's detail when earlier errors keep CEL rules from running. */
export const BLOCKED_DETAIL = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

const BLOCKING = new Set(['NotSupported', 'Required', 'TooLong', 'TooMany', 'TypeInvalid']);

/**
 * createCelRulesPass returns the pass that evaluates `x-kubernetes-validations`
 * as apiextensions-apiserver's schema/cel Validator does: `self` is the node's
 * value (typed by the schema), `oldSelf` its correlated old value on UPDATE;
 * rules that use oldSelf (transition rules) run only when there is an old
 * value, unless `optionalOldSelf`, where oldSelf is an optional; a failed
 * rule reports `message`, `messageExpression` or `failed rule: <rule>` at
 * the node (or `fieldPath` below it) with the rule's `reason`. Null values
 * are not checked. On UPDATE, a failed rule that does not use oldSelf is
 * dropped when the value is unchanged (ratcheting); evaluation errors and
 * transition rules are always reported. Like the apiserver, the pass does not run when earlier
 * errors are of a blocking type (Required, NotSupported, TooLong, TooMany,
 * TypeInvalid); it reports one error saying so instead. Rules compile once,
 * here: a rule that does not compile (CelRuleError) goes to the compile
 * context, which skips it or throws (compileValidator onUnsupported).
 */
export function createCelRulesPass(options: CelRulesOptions): ValidationPass {
  return {
    name: 'cel-rules',
    ratchet: 'errors',
    gate: (errors) => (errors.some((e) => BLOCKING.has(e.type)) ? { type: 'Invalid', field: '<nil>', badValue: null, detail: BLOCKED_DETAIL } : null),
    compile: (schema, context) => compileRules(schema, options.environment, context),
  };
}

function compileRules(schema: Schema, environment: CelEnvironment, context: CompileContext): Check | null {
  const rules = schema['x-kubernetes-validations'] ?? [];
  if (rules.length === 0) return null;
  // A rule that does not compile is reported through the context and skipped; the node's other rules still run.
  const compiled: CompiledRule[] = rules.flatMap((rule) => {
    try {
      return [compileRule(rule, environment)];
    } catch (err) {
      context.unsupported({ schema, what: `x-kubernetes-validations rule ${JSON.stringify(rule.rule)}`, error: err as Error });
      return [];
    }
  });
  if (compiled.length === 0) return null;
  const typeName = schema.type ?? '';
  return (value, old, path, ctx) => {
    if (value === null) return;
    const stats = emptyStats();
    const isRoot = path.segments().length === 0;
    const self = isRoot && isJsonObject(value) ? { value: rootCelValue(value, schema, stats) } : toCheckedCelValue(value, schema, stats);
    const oldChecked = old === undefined || old === null ? undefined : isRoot && isJsonObject(old) ? { value: rootCelValue(old, schema, stats) } : toCheckedCelValue(old, schema, stats);
    for (const c of compiled) {
      if (c.usesOldSelf && oldChecked === undefined && c.rule.optionalOldSelf !== true) continue;
      const oldSelf = oldChecked === undefined ? undefined : oldChecked;
      const activation = activationOf(self, oldSelf, c.rule.optionalOldSelf === true);
      let result: unknown;
      try {
        result = c.program.evaluateConverted(activation, stats);
      } catch (err) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: typeName, detail: `${evaluationMessage(celGoError(c, err, activation, stats))} evaluating rule: ${ruleErrorString(c.rule)}` });
        continue;
      }
      if (result === true) continue;
      // Ratcheting drops failures of rules without oldSelf on unchanged values; evaluation errors always count.
      if (result === false && !c.usesOldSelf && ctx.unchanged) continue;
      if (result !== false) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: typeName, detail: `rule did not evaluate to a bool evaluating rule: ${ruleErrorString(c.rule)}` });
        continue;
      }
      addError(ctx, failure(c, value, schema, path, activation, stats));
    }
  };
}

type Checked = { value: unknown } | { invalid: string };

/** activationOf builds the rule's variables; a value that does not fit its schema throws its invalid-data error when read. */
function activationOf(self: Checked, oldSelf: Checked | undefined, optional: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const define = (name: string, checked: Checked, wrap: (v: unknown) => unknown) => {
    if ('invalid' in checked) {
      const message = checked.invalid;
      Object.defineProperty(out, name, { enumerable: true, get: () => { throw new CelRuntimeError(message); } });
    } else out[name] = wrap(checked.value);
  };
  define('self', self, (v) => v);
  if (oldSelf === undefined) out['oldSelf'] = optional ? Optional.none() : null;
  else define('oldSelf', oldSelf, (v) => (optional ? Optional.of(v) : v));
  return out;
}

function compileRule(rule: ValidationRule, environment: CelEnvironment): CompiledRule {
  let program: CelProgram;
  let swapped: CelProgram | null = null;
  let message: CelProgram | null = null;
  const source = rewriteCelRule(rule.rule);
  try {
    program = environment.compile(source);
  } catch (err) {
    throw new CelRuleError(rule.rule, err);
  }
  const swappedSource = swapLogicalOperands(source);
  if (swappedSource !== source) {
    try {
      swapped = environment.compile(swappedSource);
    } catch {
      // The original compiled; without a swapped twin, errors keep cel-js's wording.
    }
  }
  if (rule.messageExpression !== undefined && rule.messageExpression !== '') {
    try {
      message = environment.compile(rewriteCelRule(rule.messageExpression));
    } catch (err) {
      throw new CelRuleError(rule.messageExpression, err);
    }
  }
  return { rule, program, swapped, message, usesOldSelf: usesOldSelf(rule.rule), fieldPath: normalizeFieldPath(rule.fieldPath) };
}

function failure(c: CompiledRule, value: JsonValue, schema: Schema, path: FieldPath, activation: Record<string, unknown>, stats: ReturnType<typeof emptyStats>): FieldError {
  const field = c.fieldPath === '' ? path.toString() : path.toString() === '' ? c.fieldPath : `${path.toString()}${c.fieldPath.startsWith('[') ? '' : '.'}${c.fieldPath}`;
  let detail = ruleMessageOrDefault(c.rule);
  if (c.message !== null) {
    try {
      const text = c.message.evaluateConverted(activation, stats);
      if (typeof text === 'string') {
        const trimmed = text.trim();
        if (trimmed !== '' && trimmed.length <= 5000 && !trimmed.includes('\n')) detail = trimmed;
      }
    } catch {
      // The apiserver falls back to the static message when messageExpression fails.
    }
  }
  const compound = schema.type === 'object' || schema.type === 'array';
  const badValue = compound ? NO_VALUE : value;
  switch (c.rule.reason) {
    case 'FieldValueForbidden':
      return { type: 'Forbidden', field, detail };
    case 'FieldValueRequired':
      return { type: 'Required', field, detail };
    case 'FieldValueDuplicate':
      return { type: 'Duplicate', field, badValue };
    default:
      return { type: 'Invalid', field, badValue, detail };
  }
}

/** celGoError returns the error cel-go would report: the swapped twin's, when it fails too. */
function celGoError(c: CompiledRule, err: unknown, activation: Record<string, unknown>, stats: ReturnType<typeof emptyStats>): unknown {
  if (c.swapped === null) return err;
  try {
    c.swapped.evaluateConverted(activation, stats);
    return err;
  } catch (swappedErr) {
    return swappedErr;
  }
}

/** ruleErrorString is the rule's message, or its source when it has none (trimmed). */
function ruleErrorString(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.length > 0 ? rule.message.trim() : rule.rule.trim();
}

function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.length > 0 ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
}

/** evaluationMessage words a runtime failure as cel-go does (`no such key: x`, `no such overload`). */
function evaluationMessage(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const text = errorMessage(cause).split('\n')[0] ?? '';
  if (/^No such key/i.test(text)) return text.replace(/^No such key/i, 'no such key');
  if (/no matching overload/i.test(text)) return `'no such overload': call arguments did not match a supported operator, function or macro signature`;
  return text;
}

/** usesOldSelf tells whether a rule reads oldSelf outside string literals. */
function usesOldSelf(source: string): boolean {
  const code = source.replace(/r?("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/g, '""');
  return /(^|[^A-Za-z0-9_.])oldSelf\b/.test(code);
}

/** normalizeFieldPath turns `.spec.x` or `.m['k']` into the rendered relative path `spec.x`, `m[k]`. */
function normalizeFieldPath(fieldPath: string | undefined): string {
  if (fieldPath === undefined || fieldPath === '') return '';
  return fieldPath.replace(/\[\s*'((?:\\.|[^'\\])*)'\s*\]/g, (_m, key: string) => `[${key.replace(/\\(.)/g, '$1')}]`).replace(/^\./, '');
}
