import { CelRuntimeError } from './library.js';

const VERB = /%(?:\.(\d+))?([A-Za-z%])/g;

function asNumber(value: unknown, verb: string): number | bigint {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && value.constructor?.name === 'UnsignedInt') return BigInt(String(value.valueOf()));
  throw new CelRuntimeError(`format: %${verb} needs a number, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'bigint' ? 'int' : typeof value;
}

/** formatScalar renders a value for %s as CEL's string() would, lists and maps included. */
function formatScalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(1).replace(/\.0$/, '') : String(value);
  if (Array.isArray(value)) return `[${value.map(formatScalar).join(', ')}]`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${formatScalar(k)}: ${formatScalar(v)}`).join(', ')}}`;
  if (typeof value === 'object') {
    if (value.constructor?.name === 'UnsignedInt' || value.constructor?.name === 'Duration') return String(value);
    return `{${Object.keys(value).map((k) => `${k}: ${formatScalar((value as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return String(value);
}

function radix(value: number | bigint, base: number, verb: string): string {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new CelRuntimeError(`format: %${verb} needs an integer`);
  return value.toString(base);
}

/**
 * formatString implements cel-go's `string.format(list)` for the verbs
 * %s, %d, %f, %e, %x, %X, %o, %b and %% (precision `%.Nf`/`%.Ne`, default 6).
 * Too few arguments and unknown clauses are errors, as in cel-go.
 */
export function formatString(template: string, args: readonly unknown[]): string {
  let next = 0;
  return template.replace(VERB, (_all, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) throw new CelRuntimeError(`format: not enough arguments for %${verb}`);
    const value = args[next++];
    switch (verb) {
      case 's':
        return formatScalar(value);
      case 'd': {
        if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
        const n = asNumber(value, verb);
        if (typeof n === 'number' && !Number.isInteger(n)) throw new CelRuntimeError('format: %d needs an integer');
        return String(n);
      }
      case 'f':
        return Number(asNumber(value, verb)).toFixed(precision === undefined ? 6 : Number(precision));
      case 'e':
        return Number(asNumber(value, verb))
          .toExponential(precision === undefined ? 6 : Number(precision))
          .replace(/e([+-])(\d)$/, 'e$10$2');
      case 'x':
      case 'X': {
        const text =
          typeof value === 'string' ? Buffer.from(value, 'utf8').toString('hex') : value instanceof Uint8Array ? Buffer.from(value).toString('hex') : radix(asNumber(value, verb), 16, verb);
        return verb === 'X' ? text.toUpperCase() : text;
      }
      case 'o':
        return radix(asNumber(value, verb), 8, verb);
      case 'b':
        if (typeof value === 'boolean') return value ? '1' : '0';
        return radix(asNumber(value, verb), 2, verb);
      default:
        throw new CelRuntimeError(`format: unrecognized formatting clause %${verb}`);
    }
  });
}
