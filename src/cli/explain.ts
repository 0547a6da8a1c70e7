import type { AdmissionRequest } from '../admission/review.js';
import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject } from '../kube/types.js';
import { createEvalContext } from '../policy/eval-context.js';
import type { Finding } from '../policy/outcome.js';
import { errorString } from '../kube/field-error.js';
import type { RuntimeConfig } from '../server/admission-runtime.js';

/**
 * The trace behind `review --explain` and the `matched` expectations of
 * `portcullis test`: which CRD schema and which policies applied to a
 * request, and what each rule and mutation decided. It re-runs the policies'
 * compiled matchers and checks in the server's order (schema defaults, policy
 * mutations, then rules on the mutated copy) beside the real handler, whose
 * response stays the verdict; the trace only explains it.
 */

/** RuleDecision is what one rule or mutation did: a rule passes or fires with its action; a mutation changes the object or not; either may not run for the operation. */
export type RuleDecision = 'pass' | 'deny' | 'warn' | 'audit' | 'mutated' | 'unchanged' | 'not-run';

/** RuleTrace is one rule or mutation of a matched policy. */
export interface RuleTrace {
  rule: string;
  type: 'rule' | 'mutation';
  decision: RuleDecision;
  /** messages are the findings' texts (empty when it passed). */
  messages: string[];
}

/** PolicyTrace is one policy that matched the request. */
export interface PolicyTrace {
  policy: string;
  rules: RuleTrace[];
}

/** Explanation says what touched a request. */
export interface Explanation {
  /** schema names the CRD (and version) whose schema defaulted and validated the object; null when none did. */
  schema: { crd: string; version: string } | null;
  /** policies are the policies that matched, in evaluation order. */
  policies: PolicyTrace[];
}

/** isUntouched is true when neither a schema nor a policy applied (a test case that tests nothing). */
export function isUntouched(explanation: Explanation): boolean {
  return explanation.schema === null && explanation.policies.length === 0;
}

const text = (finding: Finding) => (finding.kind === 'forbidden' ? finding.message : errorString(finding.error));

/**
 * explainRequest traces a request through the configuration. `endpoint`
 * is the server path it would reach: on mutate, rules judge the mutated copy.
 */
export function explainRequest(config: RuntimeConfig, request: AdmissionRequest, endpoint: 'mutate' | 'validate'): Explanation {
  const writes = request.operation === 'CREATE' || request.operation === 'UPDATE';
  const compiled = request.object !== null && writes ? config.crds.lookup(request.kind) : undefined;
  const schema = compiled?.validator || compiled?.defaulter ? { crd: compiled.crd.metadata.name, version: compiled.version.name } : null;
  const traces = new Map<string, PolicyTrace>();
  const traceOf = (policy: string) => {
    let trace = traces.get(policy);
    if (!trace) traces.set(policy, (trace = { policy, rules: [] }));
    return trace;
  };
  let object: JsonObject | null = request.object;
  if (endpoint === 'mutate' && request.object !== null && writes) {
    const working = deepCopy(request.object);
    compiled?.defaulter?.(working);
    const ctx = createEvalContext(request, working);
    for (const policy of config.policies.policies) {
      if (policy.mutations.length === 0 || !policy.match.matches(ctx)) continue;
      for (const mutation of policy.mutations) {
        if (mutation.createOnly && request.operation !== 'CREATE') {
          traceOf(policy.name).rules.push({ rule: mutation.name, type: 'mutation', decision: 'not-run', messages: [] });
          continue;
        }
        const result = mutation.apply(ctx, working);
        if (result.changed) ctx.objectChanged();
        const decision: RuleDecision = result.findings.length > 0 ? 'deny' : result.changed ? 'mutated' : 'unchanged';
        traceOf(policy.name).rules.push({ rule: mutation.name, type: 'mutation', decision, messages: result.findings.map(text) });
      }
    }
    object = working;
  }
  const ctx = createEvalContext(request, object);
  for (const policy of config.policies.policies) {
    if (policy.rules.length === 0 || !policy.match.matches(ctx)) continue;
    for (const rule of policy.rules) {
      if (!rule.operations.has(request.operation)) {
        traceOf(policy.name).rules.push({ rule: rule.id.rule, type: 'rule', decision: 'not-run', messages: [] });
        continue;
      }
      const findings = rule.check(ctx);
      const decision: RuleDecision = findings.length === 0 ? 'pass' : (rule.id.action.toLowerCase() as RuleDecision);
      traceOf(policy.name).rules.push({ rule: rule.id.rule, type: 'rule', decision, messages: findings.map(text) });
    }
  }
  return { schema, policies: [...traces.values()] };
}

/** formatExplanation renders an explanation as indented text lines for the terminal. */
export function formatExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  lines.push(explanation.schema ? `schema: ${explanation.schema.crd} (version ${explanation.schema.version})` : 'schema: no CRD schema applies');
  if (explanation.policies.length === 0) lines.push('policies: none matched');
  for (const policy of explanation.policies) {
    lines.push(`policy ${policy.policy}: matched`);
    for (const rule of policy.rules) {
      lines.push(`  ${rule.type} ${rule.rule}: ${rule.decision}`);
      for (const message of rule.messages) lines.push(`    ${message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
