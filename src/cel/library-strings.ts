import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './library.js';
import type { CelLibrary } from './library.js';
import { formatString } from './string-format.js';

// Go's unicode.IsSpace set (strings.TrimSpace), which cel-go's trim uses; JavaScript's trim differs (U+0085, U+FEFF).
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const ASCII_LOWER = /[A-Z]/g;
const ASCII_UPPER = /[a-z]/g;

function codePoints(s: string): string[] {
  return Array.from(s);
}

function replaceN(s: string, from: string, to: string, n: number): string {
  if (n < 0) return s.split(from).join(to);
  if (n === 0) return s;
  if (from === '') {
    // Go's strings.Replace with an empty old string inserts at every rune boundary.
    const runes = codePoints(s);
    const out: string[] = [];
    let done = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (done < n) {
        out.push(to);
        done++;
      }
      if (i < runes.length) out.push(runes[i] as string);
    }
    return out.join('');
  }
  let out = '';
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
  }
  return out + rest;
}

/**
 * STRINGS_LIBRARY is the Kubernetes CEL strings library (cel-go ext strings)
 * on top of cel-js's built-ins: charAt, replace, reverse, format and
 * ASCII-only lowerAscii/upperAscii and trim with Go's white space set.
 * indexOf, lastIndexOf, substring, split and join are cel-js built-ins
 * (indexes count UTF-16 code units there).
 */
export const STRINGS_LIBRARY: CelLibrary = {
  name: 'strings',
  functions: [
    'string.charAt(int): string',
    'string.replace(string, string): string',
    'string.replace(string, string, int): string',
    'string.reverse(): string',
    'string.format(list): string',
    'string.lowerAscii(): string',
    'string.upperAscii(): string',
    'string.indexOf(string[, int]): int (built-in)',
    'string.lastIndexOf(string[, int]): int (built-in)',
    'string.substring(int[, int]): string (built-in)',
    'string.split(string[, int]): list<string> (built-in)',
    'list<string>.join([string]): string (built-in)',
    'string.trim(): string',
  ],
  replaces: { lowerAscii: 'pclLowerAscii', upperAscii: 'pclUpperAscii', trim: 'pclTrim' },
  register(env: Environment): void {
    env
      .registerFunction('string.pclLowerAscii(): string', (s: string) => s.replace(ASCII_LOWER, (c) => c.toLowerCase()))
      .registerFunction('string.pclUpperAscii(): string', (s: string) => s.replace(ASCII_UPPER, (c) => c.toUpperCase()))
      .registerFunction('string.pclTrim(): string', (s: string) => s.replace(TRIM, ''))
      .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
        const runes = codePoints(s);
        const at = Number(i);
        if (at < 0 || at > runes.length) throw new CelRuntimeError(`index out of range: ${i}`);
        return runes[at] ?? '';
      })
      .registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) => replaceN(s, from, to, -1))
      .registerFunction('string.replace(string, string, int): string', (s: string, from: string, to: string, n: bigint) => replaceN(s, from, to, Number(n)))
      .registerFunction('string.reverse(): string', (s: string) => codePoints(s).reverse().join(''))
      .registerFunction('string.format(list): string', (s: string, args: unknown[]) => formatString(s, args));
  },
};
