import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** UsageError is a command line that can't be run; main prints it with the usage and exits 2. */
export class UsageError extends Error {
  readonly code = 'PCL_ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * parseFlags parses a command's argv with node:util parseArgs, turning its
 * errors into UsageError. Unknown flags are errors.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** parsePort checks a TCP port flag. */
export function parsePort(value: string | undefined, fallback: number, flag = '--port'): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return port;
}
