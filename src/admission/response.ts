import type { Operation as JsonPatchOperation } from 'fast-json-patch';
import type { Status } from '../kube/types.js';
import type { AdmissionRequest, AdmissionResponse, AdmissionReviewRequest, AdmissionReviewResponse } from './review.js';

/*
 * Responses are made from their request and changed only through these
 * helpers (the kube-rs AdmissionResponse::from(&req) pattern), so the uid can't
 * be wrong and a patch can't appear on DELETE or without its patchType.
 */

/** allow returns the allowed response for a request: uid echoed, nothing else. */
export function allow(request: Pick<AdmissionRequest, 'uid'>): AdmissionResponse {
  return { uid: request.uid, allowed: true };
}

/**
 * deny returns a copy of response that is not allowed, with status. The
 * status code is kept when >= 400; the apiserver turns lower codes into 400,
 * so we do it here to show the user what they will see. A deny drops any patch.
 */
export function deny(response: AdmissionResponse, status: Status): AdmissionResponse {
  const code = status.code !== undefined && status.code >= 400 ? status.code : 400;
  const { patch: _patch, patchType: _patchType, ...rest } = response;
  return { ...rest, allowed: false, status: { metadata: {}, status: 'Failure', ...status, code } };
}

/**
 * errored returns the response for a request whose evaluation failed rather
 * than judged it (controller-runtime's `Errored(code, err)`): not allowed,
 * with code (500 for a handler that threw) and message, reason
 * `InternalError` for 5xx codes and `BadRequest` below. Handlers and the
 * HTTP adapter answer every throw through it.
 */
export function errored(request: Pick<AdmissionRequest, 'uid'>, code: number, message: string): AdmissionResponse {
  return deny(allow(request), { code, reason: code >= 500 ? 'InternalError' : 'BadRequest', message });
}

/**
 * withPatch returns a copy of response that carries ops as a base64 JSONPatch.
 * An empty ops list returns response unchanged (no patch is sent); a patch on
 * DELETE throws, because the apiserver rejects it (protocol.md §1.5).
 */
export function withPatch(response: AdmissionResponse, ops: readonly JsonPatchOperation[], operation: Operation): AdmissionResponse {
  if (ops.length === 0) return response;
  if (operation === 'DELETE') throw new Error('withPatch: a patch on DELETE is rejected by the apiserver');
  if (!response.allowed) return response;
  return { ...response, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}

/**
 * withWarnings returns a copy of response with warnings appended. Following
 * the apiserver (protocol.md §1.6), empty strings, duplicates and strings with
 * control characters are dropped rather than sent to be dropped silently.
 */
export function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length === 0) return response;
  const out = [...(response.warnings ?? [])];
  for (const warning of warnings) {
    const clean = sanitizeWarning(warning);
    if (clean !== '' && !out.includes(clean)) out.push(clean);
  }
  return out.length === (response.warnings?.length ?? 0) ? response : { ...response, warnings: out };
}

/** AUDIT_KEY_PATTERN is the apiserver's rule for an auditAnnotations key (protocol.md §1.7). */
export const AUDIT_KEY_PATTERN = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** withAuditAnnotations returns a copy of response with annotations merged in; keys the apiserver would drop throw. */
export function withAuditAnnotations(response: AdmissionResponse, annotations: Readonly<Record<string, string>>): AdmissionResponse {
  const keys = Object.keys(annotations);
  if (keys.length === 0) return response;
  for (const key of keys) {
    if (key.length > 63 || !AUDIT_KEY_PATTERN.test(key)) throw new Error(`withAuditAnnotations: invalid audit annotation key ${JSON.stringify(key)}`);
  }
  return { ...response, auditAnnotations: { ...(response.auditAnnotations ?? {}), ...annotations } };
}

/** intoReview wraps a response in an AdmissionReview of the same apiVersion as the request. */
export function intoReview(review: Pick<AdmissionReviewRequest, 'apiVersion'>, response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response };
}

/** sanitizeWarning removes control characters and trims; the apiserver drops warnings that contain any. */
export function sanitizeWarning(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

type Operation = AdmissionRequest['operation'];
