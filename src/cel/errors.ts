import { errorMessage, PortcullisError } from '../kube/errors.js';

/** CelCompileError reports an expression that does not parse or type-check, or breaks a size limit. */
export class CelCompileError extends PortcullisError {
  readonly expression: string;
  constructor(expression: string, cause: unknown) {
    super('PCL_ERR_CEL_COMPILE', `compiling CEL expression: ${describeCompileError(expression, cause)}${position(expression, cause)}`, { cause });
    this.expression = expression;
  }
}

/** sourceSpan is where cel-js says a parse error is ({start, end} offsets on its error's node). */
function sourceSpan(cause: unknown): { start: number; end: number } | undefined {
  // The environment may wrap cel-js's error (to rename functions): look down the cause chain.
  for (let at = cause, depth = 0; at !== undefined && at !== null && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
    const node = (at as { node?: { start?: unknown; end?: unknown } }).node;
    if (typeof node?.start === 'number') return { start: node.start, end: typeof node.end === 'number' ? node.end : node.start + 1 };
  }
  return undefined;
}

/** position is " at line L, column C" (1-based; the line only when the expression has several) of a parse error, or "". */
function position(expression: string, cause: unknown): string {
  const span = sourceSpan(cause);
  if (span === undefined) return '';
  const before = expression.slice(0, span.start).split('\n');
  const column = (before[before.length - 1] as string).length + 1;
  return before.length > 1 ? ` at line ${before.length}, column ${column}` : ` at column ${column}`;
}

// cel-js names tokens by its lexer's names ("Unexpected token: GT"); show the text instead.
function describeCompileError(expression: string, cause: unknown): string {
  const text = summarize(cause);
  const span = sourceSpan(cause);
  if (span === undefined) return text;
  const token = expression.slice(span.start, Math.max(span.end, span.start + 1));
  if (/^Expected \w+, got EOF$/.test(text) || (/^Unexpected token/.test(text) && token === '')) return 'the expression ends too early';
  if (/^Unexpected token/.test(text)) return `unexpected ${JSON.stringify(token)}`;
  return text;
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
