import type { CelEnvironment, CelProgram } from '../cel/environment.js';
import { NO_VALUE } from '../kube/field-error.js';
import { atField } from './compile-error.js';
import type { CompiledRule } from './compiled-rule.js';
import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import { getPath, parseObjectPath } from '../kube/object-path.js';
import type { ObjectPath } from '../kube/object-path.js';
import type { Finding } from './outcome.js';
import type { CelRuleSpec } from './types.js';
import { errorMessage } from '../kube/errors.js';

const ALL_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const DEFAULT_OPERATIONS = ['CREATE', 'UPDATE'];

function evaluate(program: CelProgram, ctx: EvalContext): unknown {
  const input = ctx.cel();
  return program.evaluateConverted(input.values, input.stats);
}

/**
 * compileCelRule compiles a CEL rule: `expression` must evaluate to true
 * for the request to pass; it sees `object` (null on DELETE), `oldObject`
 * (null on CREATE) and `request`. It judges CREATE and UPDATE unless
 * `operations` says otherwise (e.g. DELETE, where only oldObject is set). The message is `message`, else the string
 * `messageExpression` yields, else `failed expression: <expression>`.
 * Reason Forbidden denies with 403; Invalid (default) with 422 at
 * `fieldPath` (default: the object). An evaluation error fails the rule.
 */
export function compileCelRule(id: RuleIdentity, spec: CelRuleSpec, cel: CelEnvironment, at: string): CompiledRule {
  const program = atField(`${at}.expression`, () => cel.compile(spec.expression, { resultType: 'bool' }));
  const messageProgram =
    spec.messageExpression === undefined ? undefined : atField(`${at}.messageExpression`, () => cel.compile(spec.messageExpression as string, { resultType: 'string' }));
  const fieldPath: ObjectPath | undefined = spec.fieldPath === undefined ? undefined : atField(`${at}.fieldPath`, () => parseObjectPath(spec.fieldPath as string));
  const wanted = spec.operations ?? DEFAULT_OPERATIONS;
  const operations: ReadonlySet<string> = new Set(wanted.includes('*') ? ALL_OPERATIONS : wanted);
  const fallback = `failed expression: ${spec.expression.trim()}`;

  const messageFor = (ctx: EvalContext): string => {
    if (spec.message !== undefined) return spec.message;
    if (messageProgram) {
      try {
        const text = evaluate(messageProgram, ctx);
        if (typeof text === 'string' && text.trim() !== '') return text;
      } catch {
        // A broken messageExpression must not hide the denial: fall back, as the apiserver does.
      }
    }
    return fallback;
  };

  const finding = (ctx: EvalContext, message: string): Finding => {
    if (spec.reason === 'Forbidden') return { kind: 'forbidden', message };
    const value = fieldPath ? getPath(ctx.object ?? ctx.oldObject, fieldPath.segments) : undefined;
    const badValue = value === undefined || (value !== null && typeof value === 'object') ? NO_VALUE : value;
    return { kind: 'field', error: { type: 'Invalid', field: fieldPath?.display ?? '', badValue, detail: message } };
  };

  return {
    id,
    operations,
    check(ctx: EvalContext): Finding[] {
      let result: unknown;
      try {
        result = evaluate(program, ctx);
      } catch (err) {
        return [finding(ctx, `rule could not be evaluated: ${errorMessage(err)}`)];
      }
      return result === true ? [] : [finding(ctx, messageFor(ctx))];
    },
  };
}
