import { PortcullisError } from '../kube/errors.js';

/**
 * Coded errors of the controller. The HTTP status is the one the Kubernetes
 * API answered (or 500 when no request was involved).
 */

/** ApiRequestError is a failed request to the Kubernetes API; `statusCode` and `reason` come from its Status. */
export class ApiRequestError extends PortcullisError {
  readonly statusCode: number;
  readonly reason: string;

  constructor(statusCode: number, reason: string, message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_API_REQUEST', message, { ...options, httpStatus: statusCode || 500 });
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** BindingError is an invalid ControllerBinding document (rejected at load time). */
export class BindingError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_BINDING', message, options);
  }
}

/** LeaderElectionError is a misconfigured leader election (e.g. renew deadline not below lease duration). */
export class LeaderElectionError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_LEADER_ELECTION', message);
  }
}

/** isNotFound tells whether err is an API 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiRequestError && err.statusCode === 404;
}

/** isConflict tells whether err is an API 409 Conflict (stale resourceVersion), not AlreadyExists. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiRequestError && err.statusCode === 409 && err.reason !== 'AlreadyExists';
}

/** isAlreadyExists tells whether err is an API 409 AlreadyExists from a create. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiRequestError && err.statusCode === 409 && err.reason === 'AlreadyExists';
}

/** isGone tells whether err is an API 410 Gone (watch resourceVersion too old). */
export function isGone(err: unknown): boolean {
  return err instanceof ApiRequestError && err.statusCode === 410;
}
