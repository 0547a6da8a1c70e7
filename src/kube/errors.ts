import { ERROR_CODES } from './error-codes.js';
import type { ErrorCode } from './error-codes.js';

/*
 * The base of every coded error, and the coded errors of the admission and
 * conversion protocols. Codes and their HTTP status live in error-codes.ts.
 */

/** PortcullisErrorOptions are the optional parts of a coded error. */
export interface PortcullisErrorOptions {
  /** cause is the error this one wraps (kept as Error.cause). */
  cause?: unknown;
  /** httpStatus overrides the code's status from ERROR_CODES (e.g. the status a Kubernetes API call answered). */
  httpStatus?: number;
}

/**
 * PortcullisError is the base of every coded error: `code` is stable and
 * listed in ERROR_CODES, `httpStatus` is what the HTTP layer answers (the
 * code's, unless overridden), the cause is kept in `cause`, and `name` is
 * the subclass's name.
 */
export class PortcullisError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options: PortcullisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? ERROR_CODES[code].httpStatus;
  }
}

/** errorMessage returns err.message for errors and String(err) for anything else thrown (never JSON.stringify, which prints `{}`). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** BadReviewError means the body decoded as JSON but is not a valid review (HTTP 400). */
export class BadReviewError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_BAD_REVIEW', message, options);
  }
}

/** BadBodyError means the body is missing or not JSON (HTTP 400). */
export class BadBodyError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_BAD_BODY', message, options);
  }
}

/** UnsupportedMediaTypeError means the Content-Type is not application/json (HTTP 415). */
export class UnsupportedMediaTypeError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_MEDIA_TYPE', message);
  }
}

/** BodyTooLargeError means the body is larger than the server accepts (HTTP 413). */
export class BodyTooLargeError extends PortcullisError {
  constructor(limit: number) {
    super('PCL_ERR_TOO_LARGE', `request body is larger than ${limit} bytes`);
  }
}
