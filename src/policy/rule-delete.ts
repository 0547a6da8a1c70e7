import type { CompiledRule } from './compiled-rule.js';
import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import { stringMapOf } from '../kube/object-meta.js';
import type { Finding } from './outcome.js';
import type { DeleteProtectionSpec } from './types.js';

const DELETE_ONLY: ReadonlySet<string> = new Set(['DELETE']);

/**
 * compileDeleteProtectionRule denies DELETE (403 Forbidden) while the old
 * object carries the annotation or label (with the given value, if any).
 * Removing the annotation first, then deleting, is the intended way out.
 */
export function compileDeleteProtectionRule(id: RuleIdentity, spec: DeleteProtectionSpec): CompiledRule {
  const field = spec.annotation !== undefined ? 'annotations' : 'labels';
  const key = (spec.annotation ?? spec.label) as string;
  const noun = field === 'annotations' ? 'annotation' : 'label';
  const what = spec.value === undefined ? `${noun} ${key} is set` : `${noun} ${key} is ${JSON.stringify(spec.value)}`;
  return {
    id,
    operations: DELETE_ONLY,
    check(ctx: EvalContext): Finding[] {
      const map = stringMapOf(ctx.oldObject, field);
      if (!Object.prototype.hasOwnProperty.call(map, key)) return [];
      if (spec.value !== undefined && map[key] !== spec.value) return [];
      return [{ kind: 'forbidden', message: `deletion is not allowed while ${what}` }];
    },
  };
}
