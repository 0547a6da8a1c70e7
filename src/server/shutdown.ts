import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { monotonicClock, sleep } from '../kube/clock.js';
import type { Clock } from '../kube/clock.js';
import { createConnectionTracker } from './connection-tracker.js';
import { errorMessage } from '../kube/errors.js';

/** DEFAULT_DRAIN_MS is the longest a shutdown takes, from the signal to the last connection closed: 30 s (the pod's terminationGracePeriodSeconds must be larger). */
export const DEFAULT_DRAIN_MS = 30_000;

/** GracefulShutdownOptions configures createGracefulShutdown. */
export interface GracefulShutdownOptions {
  /** drainMs bounds the whole shutdown; connections still open then are destroyed. Default 30 s. */
  drainMs?: number;
  /**
   * delayMs keeps serving after readiness turns false and before the listeners
   * close, so that endpoints and kube-proxy stop routing new connections here
   * first (they take a few seconds). Default 0; `serve` uses 5 s.
   */
  delayMs?: number;
  /** pollMs is how often idle keep-alive connections are closed while draining; default 50 ms. */
  pollMs?: number;
  /**
   * idleGraceMs is how long, once the listener has closed, a connection that
   * has not sent a request (still in its TLS handshake, or silent after it)
   * may stay before it is closed as idle; default 1 s (a real client sends
   * its request right after the handshake).
   */
  idleGraceMs?: number;
  logger: Logger;
  /** clock times the delay, the polls and the drain period; default monotonicClock. */
  clock?: Clock;
}

/** ShutdownResult says how a shutdown ended. */
export interface ShutdownResult {
  /** drained is true when every request in flight was answered before the drain period ended. */
  drained: boolean;
  /** abandoned counts requests still in flight when the drain period ended. */
  abandoned: number;
  /** elapsedMs is the time from the call to the end. */
  elapsedMs: number;
}

/** GracefulShutdown drains servers: readiness first, then listeners, then connections. */
export interface GracefulShutdown {
  /** track returns `listener` wrapped to count requests in flight and to ask clients to close their connection once draining. */
  track(listener: RequestListener): RequestListener;
  /** addServer registers a server whose listener closes and whose connections drain. */
  addServer(server: Server): void;
  /** onStopped registers a step that runs after the servers drained (stop watchers, close the metrics server). */
  onStopped(step: () => void | Promise<void>): void;
  /** readiness is false from the moment shutdown starts. */
  readiness(): { ready: boolean; reason?: string };
  /** inFlight counts tracked requests not yet answered. */
  inFlight(): number;
  /** shutdown runs the shutdown once; later calls return the same promise. */
  shutdown(reason: string): Promise<ShutdownResult>;
}

/**
 * createGracefulShutdown prepares a shutdown in this order: readiness goes
 * false at once (responses from then on carry `Connection: close`, so
 * keep-alive clients reconnect elsewhere); after `delayMs` the listeners stop
 * accepting; idle keep-alive connections are closed as they become idle;
 * requests in flight finish; at `drainMs` anything left is destroyed. Nothing
 * happens until shutdown() is called; signals are the caller's business.
 */
export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const delayMs = Math.min(options.delayMs ?? 0, drainMs);
  const pollMs = options.pollMs ?? 50;
  const clock = options.clock ?? monotonicClock;
  const now = () => clock.now();
  const wait = (ms: number) => sleep(clock, ms);
  const { logger } = options;
  const idleGraceMs = options.idleGraceMs ?? 1000;
  const servers: Server[] = [];
  const connections = createConnectionTracker(clock);
  const steps: Array<() => void | Promise<void>> = [];
  let inFlight = 0;
  let draining = false;
  let running: Promise<ShutdownResult> | undefined;

  const closeServer = (server: Server): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  const run = async (reason: string): Promise<ShutdownResult> => {
    const started = now();
    draining = true;
    logger.info({ reason, inFlight, delayMs, drainMs }, 'shutting down: readiness is now false');
    if (delayMs > 0) await wait(delayMs);
    let closed = false;
    const allClosed = Promise.all(servers.map(closeServer)).then(() => {
      closed = true;
    });
    logger.info({ inFlight }, 'listeners closed; draining connections');
    while (!closed && now() - started < drainMs) {
      // Connections that just finished a request are idle now: close them
      // before a client sends another request on them. Connections that
      // never sent one (a TCP connection that never starts TLS, a TLS
      // connection silent after its handshake) go after the grace period.
      for (const server of servers) server.closeIdleConnections();
      connections.closeIdle(idleGraceMs);
      await Promise.race([allClosed, wait(Math.min(pollMs, Math.max(1, drainMs - (now() - started))))]);
    }
    const abandoned = inFlight;
    if (!closed) {
      logger.warn({ abandoned }, 'drain period over; closing the remaining connections');
      for (const server of servers) server.closeAllConnections();
      connections.destroyAll();
      await allClosed;
    }
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'shutdown step failed');
      }
    }
    const elapsedMs = Math.round(now() - started);
    logger.info({ elapsedMs, abandoned }, 'shutdown complete');
    return { drained: abandoned === 0, abandoned, elapsedMs };
  };

  return {
    track(listener) {
      return (req: IncomingMessage, res: ServerResponse) => {
        inFlight += 1;
        const idle = connections.requestStarted(req.socket);
        res.once('close', () => {
          inFlight -= 1;
          idle();
        });
        if (draining) res.setHeader('connection', 'close');
        listener(req, res);
      };
    },
    addServer(server) {
      servers.push(server);
      connections.watch(server);
    },
    onStopped(step) {
      steps.push(step);
    },
    readiness: () => (draining ? { ready: false, reason: 'shutting down' } : { ready: true }),
    inFlight: () => inFlight,
    shutdown(reason) {
      running ??= run(reason);
      return running;
    },
  };
}
