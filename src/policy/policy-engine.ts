import type { JsonObject } from '../kube/types.js';
import type { CompiledPolicy } from './compile-policy.js';
import { createEvalContext } from './eval-context.js';
import type { EvalContext } from './eval-context.js';
import { applyFindings } from './findings.js';
import { emptyPolicyOutcome } from './outcome.js';
import type { PolicyOutcome, PolicyRequest } from './outcome.js';
import { createPolicyIndex } from './policy-index.js';

/** MAX_POLICY_VIOLATIONS bounds the violations reported for one request. */
export const MAX_POLICY_VIOLATIONS = 100;

/**
 * PolicyEngine runs the loaded policies. Its methods have the shape of the
 * admission layer's Mutator.mutate and Validator.validate, so that layer
 * adapts them without glue.
 */
export interface PolicyEngine {
  readonly policies: readonly CompiledPolicy[];
  /** mutate applies the mutations of matching policies to the working copy (CREATE/UPDATE only). */
  mutate(request: PolicyRequest, object: JsonObject): PolicyOutcome;
  /** validate runs the rules of matching policies on `object` (the mutated copy, or null on DELETE). */
  validate(request: PolicyRequest, object: JsonObject | null): PolicyOutcome;
}

function matching(policies: readonly CompiledPolicy[], ctx: EvalContext): CompiledPolicy[] {
  return policies.filter((p) => p.match.matches(ctx));
}

/**
 * createPolicyEngine indexes compiled policies by kind and returns the
 * engine. Policies run in load order; every rule of every matching policy
 * runs, so one answer reports every violation (up to 100).
 */
export function createPolicyEngine(policies: readonly CompiledPolicy[]): PolicyEngine {
  const index = createPolicyIndex(policies);
  return {
    policies,
    mutate(request, object) {
      const outcome = emptyPolicyOutcome();
      if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return outcome;
      const candidates = index.candidates(request);
      if (candidates.length === 0) return outcome;
      const ctx = createEvalContext(request, object);
      for (const policy of matching(candidates.filter((p) => p.mutations.length > 0), ctx)) {
        for (const mutation of policy.mutations) {
          if (mutation.createOnly && request.operation !== 'CREATE') continue;
          const result = mutation.apply(ctx, object);
          applyFindings({ policy: policy.name, rule: mutation.name, action: 'Deny', auditKey: '' }, result.findings, outcome);
        }
      }
      return outcome;
    },
    validate(request, object) {
      const outcome = emptyPolicyOutcome();
      const candidates = index.candidates(request);
      if (candidates.length === 0) return outcome;
      const ctx = createEvalContext(request, object);
      for (const policy of matching(candidates.filter((p) => p.rules.length > 0), ctx)) {
        for (const rule of policy.rules) {
          if (!rule.operations.has(request.operation)) continue;
          applyFindings(rule.id, rule.check(ctx), outcome);
        }
      }
      if (outcome.violations.length > MAX_POLICY_VIOLATIONS) {
        outcome.violations.length = MAX_POLICY_VIOLATIONS;
        outcome.truncated = true;
      }
      return outcome;
    },
  };
}
