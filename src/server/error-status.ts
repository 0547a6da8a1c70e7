import { PortcullisError } from '../kube/errors.js';
import type { Status } from '../kube/types.js';

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 405: 'MethodNotAllowed', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 429: 'TooManyRequests' };

/**
 * errorStatus turns an error into the HTTP status and metav1.Status body of
 * our bad-input convention: the HTTP status is the error's (400, 401, 413, 415, 429),
 * the body a JSON `Status` with `code`, `reason`, and the message. Anything
 * else (not a PortcullisError, or one whose status is 5xx: docs/errors.md)
 * is a bug: 500, with a generic message (the detail goes to the log, not to
 * the client).
 */
export function errorStatus(err: unknown): { httpStatus: number; body: Status & { kind: 'Status'; apiVersion: 'v1' } } {
  if (err instanceof PortcullisError && err.httpStatus < 500) {
    return { httpStatus: err.httpStatus, body: statusBody(err.httpStatus, err.message) };
  }
  return { httpStatus: 500, body: statusBody(500, 'internal error') };
}

/** statusBody builds a metav1.Status failure body. */
export function statusBody(code: number, message: string): Status & { kind: 'Status'; apiVersion: 'v1' } {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'InternalError', code };
}
