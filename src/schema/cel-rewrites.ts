import { Environment as CelJsEnvironment, Optional } from '@marcbachmann/cel-js';
import { serialize } from '@marcbachmann/cel-js/serialize';
import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from '../cel/library.js';
import type { CelLibrary } from '../cel/library.js';

/*
 * Compile-time rewrites of rule sources around two cel-js limitations:
 * - its has() macro accepts only a chain of field selections on a name
 *   (`has(self.a.b)`), while CEL allows any operand (`has(self[0].matches)`,
 *   used by Gateway API): such calls become pclHasField(operand, 'field'),
 *   which tests the field's presence the same way;
 * - comparing the result of an optional's `.value()` fails in cel-js with an
 *   operator-overload error (`self > oldSelf.value()`, common in
 *   optionalOldSelf rules): `.value()` becomes `.pclOptionalValue()`, typed dyn;
 * - when both operands of `||` or `&&` fail, cel-go reports the left one's
 *   error and cel-js the right one's: a rule that fails to evaluate is run
 *   again with the operands swapped (the operators are commutative in CEL,
 *   errors included) to report the apiserver's error (`no such key:
 *   certificateRefs`, not `… options`). Only then: swapped, guards like
 *   `!has(x) || x.y` would raise and catch an error on every evaluation.
 */

const SIMPLE = /^[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)+$/;
const LAST_FIELD = /^([\s\S]*\S)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)$/;

/** skipString returns the index just past the string literal starting at i (raw and triple-quoted included). */
function skipString(source: string, i: number): number {
  let j = i;
  const raw = source[j] === 'r' || source[j] === 'R';
  if (raw) j++;
  const quote = source[j] as string;
  const triple = source.startsWith(quote.repeat(3), j);
  const end = triple ? quote.repeat(3) : quote;
  j += end.length;
  while (j < source.length) {
    if (!raw && source[j] === '\\') {
      j += 2;
      continue;
    }
    if (source.startsWith(end, j)) return j + end.length;
    j++;
  }
  return j;
}

function isStringStart(source: string, i: number): boolean {
  const c = source[i];
  if (c === '"' || c === "'") return true;
  return (c === 'r' || c === 'R') && (source[i + 1] === '"' || source[i + 1] === "'") && !/[A-Za-z0-9_]/.test(source[i - 1] ?? '');
}

/** matchingParen returns the index of the `)` closing the `(` at i, or -1. */
function matchingParen(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; ) {
    if (isStringStart(source, j)) {
      j = skipString(source, j);
      continue;
    }
    const c = source[j];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
    j++;
  }
  return -1;
}

/** rewriteCelRule applies the rewrites every rule and message expression needs (has(), optional .value()). */
export function rewriteCelRule(source: string): string {
  return rewriteOptionalValue(rewriteHasMacro(source));
}

interface Node {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string' && 'args' in value;
}

let parser: CelJsEnvironment | undefined;

/**
 * swapLogicalOperands returns the expression with the operands of every `||`
 * and `&&` swapped. An expression that does not parse is returned unchanged
 * (compiling it reports the error).
 */
export function swapLogicalOperands(source: string): string {
  parser ??= new CelJsEnvironment({ homogeneousAggregateLiterals: false, unlistedVariablesAreDyn: true });
  let ast: unknown;
  try {
    ast = parser.parse(source).ast;
  } catch {
    return source;
  }
  let changed = false;
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!isNode(node)) continue;
    if ((node.op === '||' || node.op === '&&') && Array.isArray(node.args) && node.args.length === 2) {
      node.args.reverse();
      changed = true;
    }
    stack.push(node.args);
  }
  return changed ? serialize(ast as Parameters<typeof serialize>[0]) : source;
}

/** rewriteOptionalValue turns `.value()` calls (outside string literals) into `.pclOptionalValue()`. */
export function rewriteOptionalValue(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; ) {
    if (isStringStart(source, i)) {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
      continue;
    }
    const m = /^\.\s*value\s*\(\s*\)/.exec(source.slice(i, i + 32));
    if (m !== null) {
      out += '.pclOptionalValue()';
      i += m[0].length;
      continue;
    }
    out += source[i];
    i++;
  }
  return out;
}

/** rewriteHasMacro rewrites has() calls cel-js cannot expand into pclHasField calls; other text is kept. */
export function rewriteHasMacro(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; ) {
    if (isStringStart(source, i)) {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
      continue;
    }
    const m = /^has\s*\(/.exec(source.slice(i, i + 64));
    if (m !== null && !/[A-Za-z0-9_.]/.test(source[i - 1] ?? '')) {
      const open = i + m[0].length - 1;
      const close = matchingParen(source, open);
      const arg = close < 0 ? '' : source.slice(open + 1, close).trim();
      const last = LAST_FIELD.exec(arg);
      if (close >= 0 && !SIMPLE.test(arg) && last !== null) {
        out += `pclHasField(${rewriteHasMacro(last[1] as string)}, '${last[2] as string}')`;
        i = close + 1;
        continue;
      }
    }
    out += source[i];
    i++;
  }
  return out;
}

/** CEL_REWRITE_LIBRARY registers the targets of the rewrites: pclHasField(dyn, string) and dyn.pclOptionalValue(). */
export const CEL_REWRITE_LIBRARY: CelLibrary = {
  name: 'rewrites',
  functions: ['pclHasField(dyn, string): bool (internal: has() on any operand)', 'dyn.pclOptionalValue(): dyn (internal: optional.value())'],
  register(env: Environment): void {
    env
      .registerFunction('pclHasField(dyn, string): bool', (value: unknown, field: string) => {
        if (value instanceof Map) return value.has(field);
        return value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, field);
      })
      .registerFunction('dyn.pclOptionalValue(): dyn', (value: unknown) => {
        if (!(value instanceof Optional)) throw new CelRuntimeError('no such overload: value() on a non-optional');
        return value.value();
      });
  },
};
