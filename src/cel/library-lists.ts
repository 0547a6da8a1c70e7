import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './library.js';
import type { CelLibrary } from './library.js';

type Comparable = bigint | number | string | boolean;

function isComparable(value: unknown): value is Comparable {
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

function compare(a: unknown, b: unknown): number {
  if (!isComparable(a) || !isComparable(b)) throw new CelRuntimeError('list elements are not comparable');
  const numeric = (v: unknown) => typeof v === 'bigint' || typeof v === 'number';
  if (numeric(a) !== numeric(b) || (!numeric(a) && typeof a !== typeof b)) throw new CelRuntimeError('list elements are not comparable');
  return a < b ? -1 : a > b ? 1 : 0;
}

function celEquals(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return Number(a) === Number(b) && a == b;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => celEquals(v, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ak = Object.keys(a);
    const bk = Object.keys(b);
    return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && celEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function extreme(list: unknown[], sign: 1 | -1, what: string): unknown {
  if (list.length === 0) throw new CelRuntimeError(`${what} called on an empty list`);
  let best = list[0];
  for (const item of list) if (compare(item, best) * sign > 0) best = item;
  return best;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  if (list.every((v) => typeof v === 'bigint')) return (list as bigint[]).reduce((a, b) => a + b, 0n);
  if (list.every((v) => typeof v === 'number')) return (list as number[]).reduce((a, b) => a + b, 0);
  throw new CelRuntimeError('sum needs a list of ints or of doubles');
}

/**
 * LISTS_LIBRARY is the Kubernetes CEL lists library: isSorted, sum, min,
 * max, indexOf and lastIndexOf. Elements must be mutually comparable
 * (ints and doubles compare with each other); min and max of an empty list
 * are errors, sum of an empty list is 0.
 */
export const LISTS_LIBRARY: CelLibrary = {
  name: 'lists',
  functions: [
    'list<T>.isSorted(): bool',
    'list<T>.sum(): T',
    'list<T>.min(): T',
    'list<T>.max(): T',
    'list<T>.indexOf(T): int',
    'list<T>.lastIndexOf(T): int',
  ],
  register(env: Environment): void {
    // sum/min/max return dyn: cel-js's checker mis-resolves a template result on a dyn list (`l.max() <= 1`).
    env
      .registerFunction('list<A>.isSorted(): bool', (list: unknown[]) => list.every((v, i) => i === 0 || compare(list[i - 1], v) <= 0))
      .registerFunction('list.sum(): dyn', (list: unknown[]) => sum(list))
      .registerFunction('list.min(): dyn', (list: unknown[]) => extreme(list, -1, 'min'))
      .registerFunction('list.max(): dyn', (list: unknown[]) => extreme(list, 1, 'max'))
      .registerFunction('list<A>.indexOf(A): int', (list: unknown[], x: unknown) => BigInt(list.findIndex((v) => celEquals(v, x))))
      .registerFunction('list<A>.lastIndexOf(A): int', (list: unknown[], x: unknown) => {
        for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], x)) return BigInt(i);
        return -1n;
      });
  },
};
