import type { FieldError } from '../kube/field-error.js';
import { errorString } from '../kube/field-error.js';
import type { Finding, PolicyOutcome } from './outcome.js';
import type { PolicyAction } from './types.js';

/** MAX_WARNING_LENGTH is the advised longest warning (protocol.md §1.6). */
export const MAX_WARNING_LENGTH = 120;
/** MAX_DENIAL_TEXT_LENGTH bounds the text of one denial (a messageExpression may echo a huge field). */
export const MAX_DENIAL_TEXT_LENGTH = 1024;
/** MAX_AUDIT_VALUE_LENGTH bounds one audit annotation value. */
export const MAX_AUDIT_VALUE_LENGTH = 1024;

/** RuleIdentity names the rule a finding came from, for messages and audit keys. */
export interface RuleIdentity {
  policy: string;
  rule: string;
  action: PolicyAction;
  auditKey: string;
  /** message, when set, replaces the text of every finding of the rule. */
  message?: string;
}

// Control characters make the apiserver drop a warning (protocol.md §1.6).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** sanitizeText replaces runs of control characters with one space. */
export function sanitizeText(text: string): string {
  return text.replace(CONTROL, ' ').trim();
}

/** clip shortens text to at most max characters (code points), ending with "..." when cut. */
export function clip(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 3).join('')}...`;
}

/** attribution is the suffix that names the policy and the rule in denial messages. */
export function attribution(id: RuleIdentity): string {
  return `(policy ${id.policy}, rule ${id.rule})`;
}

/** findingText is the plain text of a finding for warnings and audit values: `<field>: <detail>`. */
function findingText(finding: Finding): string {
  if (finding.kind === 'forbidden') return finding.message;
  const { field, detail } = finding.error;
  if (detail === undefined || detail === '') return errorString(finding.error);
  return field === '' ? detail : `${field}: ${detail}`;
}

function withMessage(id: RuleIdentity, finding: Finding): Finding {
  if (id.message === undefined) return finding;
  if (finding.kind === 'forbidden') return { kind: 'forbidden', message: id.message };
  return { kind: 'field', error: { ...finding.error, detail: id.message } };
}

/**
 * applyFindings turns a rule's findings into the outcome its action asks
 * for: Deny adds violations naming policy and rule (texts cut at 1,024
 * characters); Warn adds one warning
 * per finding (`<policy>/<rule>: <text>`, no control characters, at most 120
 * characters); Audit records the findings under the rule's audit key.
 */
export function applyFindings(id: RuleIdentity, findings: readonly Finding[], outcome: PolicyOutcome): void {
  if (findings.length === 0) return;
  const shaped = findings.map((f) => withMessage(id, f));
  switch (id.action) {
    case 'Deny':
      for (const finding of shaped) {
        if (finding.kind === 'forbidden') {
          outcome.violations.push({ kind: 'forbidden', message: `${clip(sanitizeText(finding.message), MAX_DENIAL_TEXT_LENGTH)} ${attribution(id)}`, policy: id.policy, rule: id.rule });
        } else {
          const detail = clip(sanitizeText(finding.error.detail ?? ''), MAX_DENIAL_TEXT_LENGTH);
          const error: FieldError = { ...finding.error, detail: `${detail} ${attribution(id)}`.trim() };
          outcome.violations.push({ kind: 'field', error, policy: id.policy, rule: id.rule });
        }
      }
      return;
    case 'Warn':
      for (const finding of shaped) {
        outcome.warnings.push(clip(sanitizeText(`${id.policy}/${id.rule}: ${findingText(finding)}`), MAX_WARNING_LENGTH));
      }
      return;
    case 'Audit': {
      const text = shaped.map((f) => sanitizeText(findingText(f))).join('; ');
      outcome.auditAnnotations[id.auditKey] = clip(text, MAX_AUDIT_VALUE_LENGTH);
      return;
    }
  }
}

/** AUDIT_KEY_PATTERN is the key syntax the apiserver keeps (protocol.md §1.7). */
export const AUDIT_KEY_PATTERN = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** isValidAuditKey tells whether the apiserver keeps an audit annotation key (1-63 chars, no `/`). */
export function isValidAuditKey(key: string): boolean {
  return key.length >= 1 && key.length <= 63 && AUDIT_KEY_PATTERN.test(key);
}
