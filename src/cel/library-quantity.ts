import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './library.js';
import type { CelLibrary } from './library.js';

/**
 * Quantity is a Kubernetes resource quantity (`500m`, `1Gi`, `2.5e3`) held
 * as an exact fraction, so comparisons and sums are exact.
 */
export class Quantity {
  constructor(
    readonly num: bigint,
    readonly den: bigint,
    readonly source: string,
  ) {}

  /** toString returns the quantity as written. */
  toString(): string {
    return this.source;
  }
}

const QUANTITY_RE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** parseQuantity parses a quantity as resource.ParseQuantity accepts it, or returns null. */
export function parseQuantity(s: string): Quantity | null {
  const m = QUANTITY_RE.exec(s);
  if (m === null) return null;
  const [, number, suffix = ''] = m as unknown as [string, string, string | undefined];
  const negative = number.startsWith('-');
  const digits = number.replace(/^[+-]/, '');
  const [whole = '', frac = ''] = digits.split('.');
  let num = BigInt(`${whole}${frac}` || '0');
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix] as number);
  else {
    const exp = suffix in DECIMAL ? (DECIMAL[suffix] as number) : suffix === '' ? 0 : Number(suffix.slice(1));
    if (Math.abs(exp) > 1000) return null;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  if (negative) num = -num;
  return new Quantity(num, den, s);
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function make(num: bigint, den: bigint): Quantity {
  const g = gcd(num, den) || 1n;
  const n = num / g;
  const d = den / g;
  return new Quantity(n, d, d === 1n ? String(n) : String(Number(n) / Number(d)));
}

function quantity(s: string): Quantity {
  const q = parseQuantity(s);
  if (q === null) throw new CelRuntimeError('quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  return q;
}

function compare(a: Quantity, b: Quantity): bigint {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1n : l > r ? 1n : 0n;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * QUANTITY_LIBRARY is the Kubernetes CEL quantity library
 * (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(), isQuantity()
 * and the Quantity methods sign, isInteger, asInteger, asApproximateFloat,
 * add, sub, isGreaterThan, isLessThan and compareTo.
 */
export const QUANTITY_LIBRARY: CelLibrary = {
  name: 'quantity',
  functions: [
    'quantity(string): Quantity',
    'isQuantity(string): bool',
    'Quantity.sign(): int',
    'Quantity.isInteger(): bool',
    'Quantity.asInteger(): int',
    'Quantity.asApproximateFloat(): double',
    'Quantity.add(Quantity|int): Quantity',
    'Quantity.sub(Quantity|int): Quantity',
    'Quantity.isGreaterThan(Quantity): bool',
    'Quantity.isLessThan(Quantity): bool',
    'Quantity.compareTo(Quantity): int',
  ],
  register(env: Environment): void {
    env
      .registerType('Quantity', Quantity)
      .registerFunction('quantity(string): Quantity', quantity)
      .registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== null)
      .registerFunction('Quantity.sign(): int', (q: Quantity) => (q.num > 0n ? 1n : q.num < 0n ? -1n : 0n))
      .registerFunction('Quantity.isInteger(): bool', (q: Quantity) => q.num % q.den === 0n && q.num / q.den <= INT64_MAX && q.num / q.den >= INT64_MIN)
      .registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
        if (q.num % q.den !== 0n || q.num / q.den > INT64_MAX || q.num / q.den < INT64_MIN) throw new CelRuntimeError('cannot convert value to integer');
        return q.num / q.den;
      })
      .registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => Number(q.num) / Number(q.den))
      .registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => make(a.num * b.den + b.num * a.den, a.den * b.den))
      .registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => make(a.num + b * a.den, a.den))
      .registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => make(a.num * b.den - b.num * a.den, a.den * b.den))
      .registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => make(a.num - b * a.den, a.den))
      .registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => compare(a, b) > 0n)
      .registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => compare(a, b) < 0n)
      .registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => compare(a, b));
  },
};
