import { errorMessage, PortcullisError } from '../kube/errors.js';

/** CelCompileError reports an expression that does not parse or type-check, or breaks a size limit. */
export class CelCompileError extends PortcullisError {
  readonly expression: string;
  constructor(expression: string, cause: unknown) {
    super('PCL_ERR_CEL_COMPILE', `compiling CEL expression: ${summarize(cause)}`, { cause });
    this.expression = expression;
  }
}

/** CelEvaluationError reports an expression that failed at run time (no such key, bad argument, cost bound). */
export class CelEvaluationError extends PortcullisError {
  readonly expression: string;
  constructor(expression: string, cause: unknown) {
    super('PCL_ERR_CEL_EVAL', `evaluating CEL expression: ${summarize(cause)}`, { cause });
    this.expression = expression;
  }
}

/** summarize returns the first line of an error's message (cel-js appends a source excerpt after it). */
function summarize(cause: unknown): string {
  const message = errorMessage(cause);
  return message.split('\n')[0] ?? message;
}
