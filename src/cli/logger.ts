import { pino } from 'pino';
import type { Logger } from 'pino';

/** createCliLogger returns the process logger: JSON lines on stdout (or stderr), level from --log-level. */
export function createCliLogger(level = 'info', destination: 1 | 2 = 1): Logger {
  return pino({ level, base: { component: 'portcullis' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: destination, sync: false }));
}
