/**
 * Coded errors of the admission and conversion protocols. Each code is unique
 * (a unit test checks) so that logs and clients can match on it.
 */

/** PortcullisError is the base of every coded error; `code` is stable, `httpStatus` is what the HTTP layer answers. */
export class PortcullisError extends Error {
  readonly code: string;
  readonly httpStatus: number;

  constructor(code: string, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** BadReviewError means the body decoded as JSON but is not a valid review (HTTP 400). */
export class BadReviewError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_BAD_REVIEW', 400, message, options);
  }
}

/** BadBodyError means the body is missing or not JSON (HTTP 400). */
export class BadBodyError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_BAD_BODY', 400, message, options);
  }
}

/** UnsupportedMediaTypeError means the Content-Type is not application/json (HTTP 415). */
export class UnsupportedMediaTypeError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_MEDIA_TYPE', 415, message);
  }
}

/** BodyTooLargeError means the body is larger than the server accepts (HTTP 413). */
export class BodyTooLargeError extends PortcullisError {
  constructor(limit: number) {
    super('PCL_ERR_TOO_LARGE', 413, `request body is larger than ${limit} bytes`);
  }
}

/** ERROR_CODES lists every code above; the uniqueness test reads it. */
export const ERROR_CODES = ['PCL_ERR_BAD_REVIEW', 'PCL_ERR_BAD_BODY', 'PCL_ERR_MEDIA_TYPE', 'PCL_ERR_TOO_LARGE'] as const;
