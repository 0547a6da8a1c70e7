import { PortcullisError } from '../kube/errors.js';

/**
 * The shared command-line parser. It follows kubectl's (pflag's) rules, which
 * node:util parseArgs doesn't quite: a boolean flag takes no value but accepts
 * `--flag=true|false`; `-f x`, `-fx` and `--filename=x` are the same; `--`
 * ends the flags and `-` is a positional (standard input). Its errors are the
 * project's own sentences, with a "did you mean" for a mistyped flag.
 */

import { parseGoDuration } from '../kube/duration.js';

/** UsageError is a command line that can't be run; main prints its one line, where to get help, and exits 2. */
export class UsageError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_USAGE', message);
  }
}

/** InputError is input a command can't use (a file, a document); main prints its one line, without the usage hint, and exits 2. */
export class InputError extends PortcullisError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('PCL_ERR_INPUT', message, options);
  }
}

/** FlagSpec describes one flag: a string (takes a value) or a boolean (doesn't), optionally repeatable, with a one-letter alias. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** FlagSpecs maps long flag names (without `--`) to their spec. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean' ? (S extends { multiple: true } ? boolean[] : boolean) : S extends { multiple: true } ? string[] : string;

/** FlagValues are the parsed values: absent flags are undefined, repeatable ones arrays. */
export type FlagValues<T extends FlagSpecs> = { [K in keyof T]?: FlagValue<T[K]> };

/** ParsedFlags is what parseFlags returns. */
export interface ParsedFlags<T extends FlagSpecs> {
  values: FlagValues<T>;
  positionals: string[];
}

/** editDistance is the Levenshtein distance of two short strings (flag and command names). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * suggest returns the candidate closest to `name` when it is close enough to
 * be a typo (distance at most a third of its length, at least 1), or when one
 * candidate starts with it; undefined otherwise.
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3))) return best;
  const prefixed = candidates.filter((c) => c.startsWith(name));
  return name.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined;
}

function parseBoolean(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`${flag} is a boolean flag: give it alone or as ${flag}=true|false, not ${JSON.stringify(value)}`);
}

/**
 * parseFlags parses a command's argv. Unknown flags, a missing value, a value
 * given to a boolean and (unless allowPositionals) any positional argument
 * are UsageErrors. `--help`/`-h` are left to main.
 */
export function parseFlags<T extends FlagSpecs>(argv: readonly string[], specs: T, allowPositionals = false): ParsedFlags<T> {
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  const set = (name: string, value: string | boolean) => {
    const spec = specs[name] as FlagSpec;
    if (spec.multiple) ((values[name] ??= []) as unknown[]).push(value);
    else values[name] = value;
  };
  const unknown = (flag: string): never => {
    const name = flag.replace(/^-+/, '');
    const hint = suggest(name, Object.keys(specs));
    throw new UsageError(`unknown flag ${flag}${hint ? ` (did you mean --${hint}?)` : ''}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      shown = `--${name}`;
      if (!Object.hasOwn(specs, name)) unknown(shown);
    } else {
      const long = byShort.get(arg[1] as string);
      if (long === undefined) unknown(arg.slice(0, 2));
      name = long as string;
      shown = `-${arg[1]}`;
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    }
    const spec = specs[name] as FlagSpec;
    if (spec.type === 'boolean') {
      set(name, inline === undefined ? true : parseBoolean(shown, inline));
      continue;
    }
    if (inline !== undefined) {
      set(name, inline);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-' && next.length > 1)) throw new UsageError(`flag ${shown} needs a value`);
    set(name, next);
    i++;
  }
  if (!allowPositionals && positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: this command takes only flags`);
  return { values: values as FlagValues<T>, positionals };
}

/** parsePort checks a TCP port flag. */
export function parsePort(value: string | undefined, fallback: number, flag = '--port'): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return port;
}

/** LOG_LEVELS are the names --log-level accepts, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** parseLogLevel checks --log-level against LOG_LEVELS (default info). */
export function parseLogLevel(value: string | undefined): (typeof LOG_LEVELS)[number] {
  if (value === undefined) return 'info';
  const level = value.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as (typeof LOG_LEVELS)[number];
  const hint = suggest(level, LOG_LEVELS);
  throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}${hint ? ` (did you mean ${hint}?)` : ''}`);
}

/** parseDurationFlag checks a duration flag: a Go duration (30s, 1m30s, 500ms, 0) that is not negative, in milliseconds. */
export function parseDurationFlag(value: string | undefined, fallbackMs: number, flag: string): number {
  if (value === undefined) return fallbackMs;
  const ms = parseGoDuration(value);
  if (ms === undefined || ms < 0) throw new UsageError(`${flag} must be a duration like 30s, 1m30s or 500ms, got ${JSON.stringify(value)}`);
  return ms;
}
