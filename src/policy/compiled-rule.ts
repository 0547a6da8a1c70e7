import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import type { Finding } from './outcome.js';

/** CompiledRule is one rule, ready to run: the operations it judges and its check. */
export interface CompiledRule {
  readonly id: RuleIdentity;
  /** operations are those the rule judges (e.g. immutability only UPDATE); the policy's match narrows further. */
  readonly operations: ReadonlySet<string>;
  /** check returns what is wrong; empty when the request passes. It never throws. */
  check(ctx: EvalContext): Finding[];
}

/** WRITE_OPERATIONS are the operations that carry an object to judge. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE']);
