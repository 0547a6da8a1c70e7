import { errorMessage, PortcullisError } from '../kube/errors.js';

/**
 * PolicyCompileError reports a part of a policy that can't be compiled (a
 * bad pattern, CEL expression, schema or field path). `field` is the path in
 * the policy document, e.g. `spec.rules[2].cel.expression`; the loader turns
 * it into a LoadError naming file and document.
 */
export class PolicyCompileError extends PortcullisError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_POLICY_COMPILE', message, options);
    this.field = field;
  }
}

/** atField runs compile, rethrowing any error as a PolicyCompileError at field (keeping deeper fields). */
export function atField<T>(field: string, compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    if (err instanceof PolicyCompileError) throw err;
    throw new PolicyCompileError(field, errorMessage(err), { cause: err });
  }
}
