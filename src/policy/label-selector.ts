import type { LabelSelectorSpec } from './types.js';

/** LabelMatcher tells whether a label set is selected. */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

/**
 * compileLabelSelector compiles a metav1.LabelSelector: every matchLabels
 * pair and every matchExpression must hold; an empty selector selects
 * everything. Exists/DoesNotExist take no values, In/NotIn at least one;
 * a bad selector throws with the field to blame.
 */
export function compileLabelSelector(selector: LabelSelectorSpec): LabelMatcher {
  const checks: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checks.push((labels) => Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === value);
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const values = new Set(expr.values ?? []);
    const has = (labels: Readonly<Record<string, string>>) => Object.prototype.hasOwnProperty.call(labels, expr.key);
    if ((expr.operator === 'In' || expr.operator === 'NotIn') && values.size === 0) {
      throw new Error(`matchExpressions[${i}].values: must be non-empty for operator ${expr.operator}`);
    }
    if ((expr.operator === 'Exists' || expr.operator === 'DoesNotExist') && values.size > 0) {
      throw new Error(`matchExpressions[${i}].values: must be empty for operator ${expr.operator}`);
    }
    switch (expr.operator) {
      case 'In':
        checks.push((labels) => has(labels) && values.has(labels[expr.key] as string));
        break;
      case 'NotIn':
        checks.push((labels) => !has(labels) || !values.has(labels[expr.key] as string));
        break;
      case 'Exists':
        checks.push(has);
        break;
      case 'DoesNotExist':
        checks.push((labels) => !has(labels));
        break;
    }
  });
  return (labels) => checks.every((check) => check(labels));
}
