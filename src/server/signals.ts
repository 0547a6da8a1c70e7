import type { Logger } from 'pino';

/** SignalSource is the part of `process` the signal helper uses; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** ShutdownSignalOptions configures handleShutdownSignals. */
export interface ShutdownSignalOptions {
  /** onShutdown runs once, on the first SIGTERM or SIGINT: start a graceful shutdown. */
  onShutdown(signal: string): void;
  logger: Logger;
  /** source of signals; default process. */
  source?: SignalSource;
  /** exit ends the process on the second signal; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * handleShutdownSignals makes the first SIGTERM or SIGINT start a graceful
 * shutdown and a second one exit at once with status 1 (an operator pressing
 * Ctrl-C twice means it). Returns a function that removes the handlers.
 * Every long-running command (serve, controller) shuts down through it.
 */
export function handleShutdownSignals(options: ShutdownSignalOptions): () => void {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let signalled = false;
  const handle = (signal: string) => {
    if (signalled) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    signalled = true;
    options.logger.info({ signal }, 'signal received: shutting down gracefully (a second signal exits at once)');
    options.onShutdown(signal);
  };
  const onTerm = () => handle('SIGTERM');
  const onInt = () => handle('SIGINT');
  source.on('SIGTERM', onTerm);
  source.on('SIGINT', onInt);
  return () => {
    source.off('SIGTERM', onTerm);
    source.off('SIGINT', onInt);
  };
}
