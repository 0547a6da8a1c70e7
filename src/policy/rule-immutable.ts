import { deepEqual } from '../kube/safe-object.js';
import { NO_VALUE } from '../kube/field-error.js';
import { atField } from './compile-error.js';
import type { CompiledRule } from './compiled-rule.js';
import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import { getPath, parseObjectPath } from '../kube/object-path.js';
import type { Finding } from './outcome.js';
import type { ImmutableFieldSpec } from './types.js';

const UPDATE_ONLY: ReadonlySet<string> = new Set(['UPDATE']);

/**
 * compileImmutableRule compiles an immutability rule, judged on UPDATE: a
 * field may not be added, changed or removed; with `onceSet` it may be set
 * the first time but not changed or removed after it has a value.
 */
export function compileImmutableRule(id: RuleIdentity, fields: readonly ImmutableFieldSpec[], at: string): CompiledRule {
  const compiled = fields.map((f, i) => ({ path: atField(`${at}[${i}].path`, () => parseObjectPath(f.path)), onceSet: f.onceSet === true }));
  return {
    id,
    operations: UPDATE_ONLY,
    check(ctx: EvalContext): Finding[] {
      const out: Finding[] = [];
      if (ctx.object === null || ctx.oldObject === null) return out;
      for (const { path, onceSet } of compiled) {
        const before = getPath(ctx.oldObject, path.segments);
        const after = getPath(ctx.object, path.segments);
        const wasSet = before !== undefined && before !== null;
        if (onceSet && !wasSet) continue;
        if (deepEqual(before ?? null, after ?? null)) continue;
        out.push({
          kind: 'field',
          error: { type: 'Invalid', field: path.display, badValue: after === undefined ? NO_VALUE : after, detail: onceSet ? 'field is immutable once set' : 'field is immutable' },
        });
      }
      return out;
    },
  };
}
