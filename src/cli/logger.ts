import { pino } from 'pino';
import type { Logger } from 'pino';

/**
 * createCliLogger returns the process logger: JSON lines on stdout (or
 * stderr), level from --log-level, each line's level as its name
 * (`"level":"info"`, not pino's number) so operators can grep and filter it.
 */
export function createCliLogger(level = 'info', destination: 1 | 2 = 1): Logger {
  return pino(
    { level, base: { component: 'portcullis' }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ fd: destination, sync: false }),
  );
}
