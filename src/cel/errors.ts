/** CelCompileError reports an expression that does not parse or type-check, or breaks a size limit. */
export class CelCompileError extends Error {
  readonly code = 'PCL_ERR_CEL_COMPILE';
  readonly expression: string;
  constructor(expression: string, cause: unknown) {
    super(`compiling CEL expression: ${summarize(cause)}`, { cause });
    this.name = 'CelCompileError';
    this.expression = expression;
  }
}

/** CelEvaluationError reports an expression that failed at run time (no such key, bad argument, cost bound). */
export class CelEvaluationError extends Error {
  readonly code = 'PCL_ERR_CEL_EVAL';
  readonly expression: string;
  constructor(expression: string, cause: unknown) {
    super(`evaluating CEL expression: ${summarize(cause)}`, { cause });
    this.name = 'CelEvaluationError';
    this.expression = expression;
  }
}

/** summarize returns the first line of an error's message (cel-js appends a source excerpt after it). */
function summarize(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.split('\n')[0] ?? message;
}
