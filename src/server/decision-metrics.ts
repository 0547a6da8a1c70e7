import type { AdmissionRequest } from '../admission/review.js';
import type { AdmissionChain, Mutator, StageOutcome, Validator } from '../admission/stage.js';
import type { ConversionHandler } from '../conversion/convert-review.js';
import type { Counter } from 'prom-client';

/**
 * Counting what the admission stages and converters decide, without touching
 * them: each stage of a chain is wrapped so that its outcome is counted in
 * `portcullis_admission_decisions_total{stage,policy,rule,action,result}`, and the
 * conversion handler is wrapped to count objects in
 * `portcullis_conversion_objects_total{result}`.
 */

// A Warn rule's warning reads `<policy>/<rule>: <text>` (src/policy/findings.ts).
const ATTRIBUTED_WARNING = /^([^/\s:]{1,253})\/([^/\s:]{1,253}): /;

/**
 * recordOutcome counts one stage's outcome: every violation as
 * action=deny,result=denied (labelled with its policy and rule; both empty
 * for schema findings), every warning as action=warn,result=warned, every
 * audit annotation as action=audit,result=audited (rule: its key), and a
 * stage that found nothing as action=<mutate|validate>,result=allowed. The
 * stage is its own label, so `policy` only ever holds policy names.
 */
export function recordOutcome(counter: Counter<'stage' | 'policy' | 'rule' | 'action' | 'result'>, stage: string, kind: 'mutate' | 'validate', outcome: StageOutcome): void {
  const warnings = outcome.warnings;
  const audits = Object.keys(outcome.auditAnnotations);
  if (outcome.violations.length === 0 && warnings.length === 0 && audits.length === 0) {
    counter.inc({ stage, policy: '', rule: '', action: kind, result: 'allowed' });
    return;
  }
  for (const violation of outcome.violations) {
    counter.inc({ stage, policy: violation.policy ?? '', rule: violation.rule ?? '', action: 'deny', result: 'denied' });
  }
  for (const warning of warnings) {
    const m = ATTRIBUTED_WARNING.exec(warning);
    counter.inc({ stage, policy: m?.[1] ?? '', rule: m?.[2] ?? '', action: 'warn', result: 'warned' });
  }
  for (const key of audits) counter.inc({ stage, policy: '', rule: key, action: 'audit', result: 'audited' });
}

/** MAX_DENIED_BY caps the sources a decision log line lists (a review can have up to 100 field errors). */
export const MAX_DENIED_BY = 10;

// Which policy/rule (or schema stage and field) denied each request: filled while its stages run, read once by the endpoint's log line.
const denials = new WeakMap<AdmissionRequest, string[]>();

function noteDenials(request: AdmissionRequest, stage: string, outcome: StageOutcome): void {
  if (outcome.violations.length === 0) return;
  let list = denials.get(request);
  if (list === undefined) denials.set(request, (list = []));
  for (const v of outcome.violations) {
    if (list.length >= MAX_DENIED_BY) return;
    const source = v.policy !== undefined ? `${v.policy}/${v.rule ?? ''}` : v.kind === 'field' ? `${stage}:${v.error.field}` : stage;
    if (!list.includes(source)) list.push(source);
  }
}

/**
 * deniedBy returns what denied a request whose chain was wrapped by
 * createDecisionRecorder: `<policy>/<rule>` for a policy rule,
 * `<stage>:<field>` for a schema error (e.g. `schema:spec.replicas`), at
 * most MAX_DENIED_BY, first ones first; undefined when nothing denied it.
 */
export function deniedBy(request: AdmissionRequest): string[] | undefined {
  return denials.get(request);
}

/**
 * createDecisionRecorder returns a function that wraps every stage of a
 * chain to record its outcomes (and, for the decision log line, what denied
 * each request: deniedBy). The wrapped chain is cached per chain
 * object, so calling it on every request costs a map lookup; a reload (a new
 * chain) gets wrapped once.
 */
export function createDecisionRecorder(counter: Counter<'stage' | 'policy' | 'rule' | 'action' | 'result'>): (chain: AdmissionChain) => AdmissionChain {
  const wrapped = new WeakMap<AdmissionChain, AdmissionChain>();
  return (chain) => {
    let out = wrapped.get(chain);
    if (out === undefined) {
      out = {
        mutators: chain.mutators.map((m): Mutator => ({
          name: m.name,
          mutate: (request, object) => {
            const outcome = m.mutate(request, object);
            recordOutcome(counter, m.name, 'mutate', outcome);
            noteDenials(request, m.name, outcome);
            return outcome;
          },
        })),
        validators: chain.validators.map((v): Validator => ({
          name: v.name,
          validate: (request, object) => {
            const outcome = v.validate(request, object);
            recordOutcome(counter, v.name, 'validate', outcome);
            noteDenials(request, v.name, outcome);
            return outcome;
          },
        })),
      };
      wrapped.set(chain, out);
    }
    return out;
  };
}

/** countConversions wraps a conversion handler to count the objects of each review by result (success or failure). */
export function countConversions(counter: Counter<'result'>, handler: ConversionHandler): ConversionHandler {
  return (request) => {
    let response;
    try {
      response = handler(request);
    } catch (err) {
      counter.inc({ result: 'failure' }, request.objects.length);
      throw err;
    }
    counter.inc({ result: response.result.status === 'Success' ? 'success' : 'failure' }, request.objects.length);
    return response;
  };
}
