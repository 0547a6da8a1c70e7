import type { JsonObject, Status } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { aggregateMessage, errorString, toStatusCause } from '../kube/field-error.js';
import { allow, deny, withAuditAnnotations, withWarnings } from './response.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import type { StageOutcome } from './stage.js';

/**
 * decide folds the outcomes of every stage into one response: allowed with
 * their warnings and audit annotations when nothing is violated; otherwise
 * denied with every violation at once — 403 Forbidden when any violation is
 * about who may do what, else 422 Invalid with one cause per field error, in
 * the apiserver's StatusError shape (`<Kind>.<group> "<name>" is invalid: …`).
 */
export function decide(request: AdmissionRequest, outcomes: readonly StageOutcome[]): AdmissionResponse {
  let response = allow(request);
  const warnings: string[] = [];
  const audit: Record<string, string> = {};
  const violations = outcomes.flatMap((o) => o.violations);
  for (const outcome of outcomes) {
    warnings.push(...outcome.warnings);
    Object.assign(audit, outcome.auditAnnotations);
  }
  response = withAuditAnnotations(withWarnings(response, warnings), audit);
  if (violations.length === 0) return response;
  const truncated = outcomes.some((o) => o.truncated === true);
  return deny(response, denialStatus(request, violations, truncated));
}

function denialStatus(request: AdmissionRequest, violations: StageOutcome['violations'], truncated: boolean): Status {
  const fieldErrors = violations.flatMap((v) => (v.kind === 'field' ? [v.error] : []));
  const forbidden = violations.flatMap((v) => (v.kind === 'forbidden' ? [v.message] : []));
  const messages = [...forbidden, ...fieldErrors.map(errorString)];
  if (truncated) messages.push('too many errors, only the first ones are reported');
  const kind = request.kind.kind;
  const groupKind = request.kind.group === '' ? kind : `${kind}.${request.kind.group}`;
  const name = objectName(request);
  const causes = fieldErrors.map(toStatusCause);
  if (forbidden.length > 0) {
    // apierrors.NewForbidden names the resource; NewInvalid names the kind.
    const resource = request.resource.resource || kind.toLowerCase();
    const groupResource = request.kind.group === '' ? resource : `${resource}.${request.kind.group}`;
    const details = { name, group: request.kind.group, kind: resource, causes };
    return { status: 'Failure', code: 403, reason: 'Forbidden', message: `${groupResource} "${name}" is forbidden: ${aggregateMessage(messages)}`, details };
  }
  const details = { name, group: request.kind.group, kind, causes };
  return { status: 'Failure', code: 422, reason: 'Invalid', message: `${groupKind} "${name}" is invalid: ${aggregateMessage(messages)}`, details };
}

/** objectName returns the name the request is about (object, oldObject or request.name). */
export function objectName(request: AdmissionRequest): string {
  const candidate = request.object ?? request.oldObject;
  const metadata = candidate && isJsonObject(candidate['metadata']) ? (candidate['metadata'] as JsonObject) : undefined;
  const name = metadata?.['name'];
  if (typeof name === 'string' && name !== '') return name;
  return request.name ?? '';
}
