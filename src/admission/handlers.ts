import type { Operation as JsonPatchOperation } from 'fast-json-patch';
import { deepCopy } from '../kube/safe-object.js';
import { decide } from './decide.js';
import { createMinimalPatch } from './patch.js';
import { withPatch } from './response.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import type { AdmissionChain, StageOutcome } from './stage.js';

/** AdmissionHandler turns one admission request into its response. It never throws for bad objects. */
export type AdmissionHandler = (request: AdmissionRequest) => AdmissionResponse;

/** HandlerOptions configures the admission handlers. */
export interface HandlerOptions {
  /** chain returns the stages in force; called once per request, so a reload swaps them atomically. */
  chain: () => AdmissionChain;
}

/**
 * createValidateHandler returns the /validate handler: every validator judges
 * request.object as received; the response never carries a patch.
 */
export function createValidateHandler(options: HandlerOptions): AdmissionHandler {
  return (request) => {
    const { validators } = options.chain();
    const outcomes = validators.map((v) => v.validate(request, request.object));
    return decide(request, outcomes);
  };
}

/**
 * createMutateHandler returns the /mutate handler: mutators run in order on
 * one working copy, the minimal patch from the object as received to the
 * result is computed, and the result is validated before the answer goes out
 * (a mutation can't smuggle in an invalid object). DELETE and CONNECT are
 * never patched; mutators don't run for them.
 */
export function createMutateHandler(options: HandlerOptions): AdmissionHandler {
  return (request) => {
    const { mutators, validators } = options.chain();
    const original = request.object;
    if (original === null || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) {
      return decide(request, validators.map((v) => v.validate(request, original)));
    }
    const working = deepCopy(original);
    const outcomes: StageOutcome[] = mutators.map((m) => m.mutate(request, working));
    const ops: JsonPatchOperation[] = createMinimalPatch(original, working);
    outcomes.push(...validators.map((v) => v.validate(request, working)));
    const response = decide(request, outcomes);
    return response.allowed ? withPatch(response, ops, request.operation) : response;
  };
}
