import { emptyStats, toCelValue } from '../cel/values.js';
import type { CelInputStats } from '../cel/values.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import type { PolicyRequest } from './outcome.js';

/** CelInput is the converted activation of one request, shared by every CEL program of every policy. */
export interface CelInput {
  values: Record<string, unknown>;
  stats: CelInputStats;
}

/**
 * EvalContext is one request as the policies see it: the object under
 * judgment (the mutated working copy on the mutating path), the old object,
 * and the CEL activation, converted lazily once and reused until the object
 * changes.
 */
export interface EvalContext {
  readonly request: PolicyRequest;
  readonly object: JsonObject | null;
  readonly oldObject: JsonObject | null;
  /** cel returns the converted activation (object, oldObject, request). */
  cel(): CelInput;
  /** objectChanged drops the cached activation after a mutation. */
  objectChanged(): void;
}

/** requestView is what CEL sees as `request`: the request without its objects. */
export function requestView(request: PolicyRequest): JsonObject {
  const view: JsonObject = {
    kind: { ...request.kind },
    resource: { ...request.resource },
    operation: request.operation,
    userInfo: request.userInfo as unknown as JsonValue,
    name: request.name ?? '',
    namespace: request.namespace ?? '',
    subResource: request.subResource ?? '',
    dryRun: request.dryRun === true,
  };
  if (request.uid !== undefined) view['uid'] = request.uid;
  if (request.options) view['options'] = request.options;
  return view;
}

/** createEvalContext builds the context for one request and the object under judgment. */
export function createEvalContext(request: PolicyRequest, object: JsonObject | null): EvalContext {
  let cached: CelInput | undefined;
  let requestValue: { value: unknown; stats: CelInputStats } | undefined;
  return {
    request,
    object,
    oldObject: request.oldObject,
    cel(): CelInput {
      if (cached) return cached;
      if (!requestValue) {
        const stats = emptyStats();
        requestValue = { value: toCelValue(requestView(request), stats), stats };
      }
      const stats: CelInputStats = { ...requestValue.stats };
      const values = {
        object: toCelValue(object, stats),
        oldObject: toCelValue(request.oldObject, stats),
        request: requestValue.value,
      };
      cached = { values, stats };
      return cached;
    },
    objectChanged(): void {
      cached = undefined;
    },
  };
}
