import type { Environment } from '@marcbachmann/cel-js';
import { PortcullisError } from '../kube/errors.js';

/**
 * CelLibrary is one group of CEL functions added to the shared environment
 * (strings, lists, regex, and e.g. quantity or URL functions added by other
 * packages). A library registers overloads on the environment under
 * construction; it may also replace a built-in method, which cel-js does not
 * allow to re-register, by naming it in `replaces`: every call
 * `x.<method>(…)` is then rewritten at compile time to `x.<replacement>(…)`.
 */
export interface CelLibrary {
  /** name identifies the library in docs and errors, e.g. `strings`. */
  readonly name: string;
  /** functions lists the CEL signatures the library adds, for documentation. */
  readonly functions: readonly string[];
  /** replaces maps a built-in receiver method name to the name of its replacement overloads. */
  readonly replaces?: Readonly<Record<string, string>>;
  /** register adds the library's overloads; it runs once per environment. */
  register(env: Environment): void;
}

/** CelRuntimeError is what library functions throw for bad arguments; CEL reports it as an evaluation error. */
export class CelRuntimeError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_CEL_RUNTIME', message);
  }
}
