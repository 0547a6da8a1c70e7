import type { JsonObject } from '../../../src/kube/types.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import { emptyOutcome } from '../../../src/admission/stage.js';
import type { AdmissionChain, Mutator, StageOutcome, Validator } from '../../../src/admission/stage.js';

/** request returns a Widget admission request; fields can be overridden. */
export function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'uid-1',
    kind: { group: 'example.com', version: 'v1', kind: 'Widget' },
    resource: { group: 'example.com', version: 'v1', resource: 'widgets' },
    name: 'w',
    namespace: 'default',
    operation: 'CREATE',
    userInfo: { username: 'alice' },
    object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } },
    oldObject: null,
    ...overrides,
  };
}

/** outcome returns a StageOutcome with the given parts filled in. */
export function outcome(parts: Partial<StageOutcome> = {}): StageOutcome {
  return { ...emptyOutcome(), ...parts };
}

/** Seen records what a stub stage was called with (a copy of the object, so later mutations don't rewrite history). */
export interface Seen {
  stage: string;
  object: JsonObject | null;
}

/** stubValidator returns a fixed outcome and records every call. */
export function stubValidator(name: string, result: StageOutcome, seen: Seen[]): Validator {
  return {
    name,
    validate(_request, object) {
      seen.push({ stage: name, object: object === null ? null : structuredClone(object) });
      return result;
    },
  };
}

/** stubMutator applies edit to the working copy and returns a fixed outcome, recording every call. */
export function stubMutator(name: string, edit: (object: JsonObject) => void, result: StageOutcome, seen: Seen[]): Mutator {
  return {
    name,
    mutate(_request, object) {
      seen.push({ stage: name, object: structuredClone(object) });
      edit(object);
      return result;
    },
  };
}

/** chainOf wraps stages as the handlers' chain() option. */
export function chainOf(mutators: Mutator[], validators: Validator[]): () => AdmissionChain {
  return () => ({ mutators, validators });
}
