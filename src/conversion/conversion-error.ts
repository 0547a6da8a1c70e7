import { PortcullisError } from '../kube/errors.js';

/**
 * ConversionError reports an object that can't be converted: `field` is the
 * path of the offending field in the object (e.g. `hostPort`), `message` says
 * what is wrong with it. The review handler prefixes the object's
 * namespace/name and answers `result.status: "Failure"`; it never becomes an
 * HTTP error.
 */
export class ConversionError extends PortcullisError {
  readonly field: string | undefined;

  constructor(options: { field?: string; message: string; cause?: unknown }) {
    super('PCL_ERR_CONVERSION', options.field ? `${options.field}: ${options.message}` : options.message, { cause: options.cause });
    this.field = options.field;
  }
}

/** isConversionError tells whether err is a ConversionError. */
export function isConversionError(err: unknown): err is ConversionError {
  return err instanceof ConversionError;
}
