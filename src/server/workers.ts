import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { PrometheusContentType, Registry } from 'prom-client';
import { createMetricsServer } from './metrics-server.js';
import { handleShutdownSignals } from './signals.js';
import type { SignalSource } from './signals.js';
import { errorMessage } from '../kube/errors.js';

/*
 * `serve --workers N`: one node:cluster primary and N worker processes that
 * share the HTTPS port (the primary accepts connections and hands them out
 * round-robin). The primary serves nothing but the one /metrics endpoint,
 * which adds up the workers' registries; it owns the shutdown (SIGTERM
 * drains every worker and exits when they have) and replaces a worker that
 * dies. Each worker is today's single-process server: same configuration
 * reloader (every worker sees the same file change and reloads), same
 * graceful drain.
 */

/** SHUTDOWN_MESSAGE is what the primary sends a worker to make it drain (workers ignore signals: see workerSignals). */
export const SHUTDOWN_MESSAGE = 'portcullis:shutdown';

/**
 * workerSignals is a worker's signal source for the runtime: the primary
 * owns the shutdown, so a worker ignores SIGTERM and SIGINT sent to it (a
 * signal to the process group, as Ctrl-C sends, would otherwise reach it
 * twice: directly and from the primary) and drains when the primary says so,
 * or when the primary is gone (its IPC channel closed).
 */
export function workerSignals(): SignalSource {
  const events = new EventEmitter();
  let told = false;
  const shutdown = () => {
    if (told) return;
    told = true;
    events.emit('SIGTERM');
  };
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === SHUTDOWN_MESSAGE) shutdown();
  });
  process.on('disconnect', shutdown);
  return {
    on: (signal, listener) => {
      events.on(signal, listener);
      // Told to stop while still starting: the runtime's handler comes later and must still hear it.
      if (told && signal === 'SIGTERM') queueMicrotask(listener);
      return events;
    },
    off: (signal, listener) => events.off(signal, listener),
  };
}

/** WORKER_ID_ENV names the environment variable that tells a worker its number (1..N). */
export const WORKER_ID_ENV = 'PORTCULLIS_WORKER_ID';

/**
 * cgroupCpuLimit reads the container's CPU quota (cgroup v2 `cpu.max`, then
 * v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`) as a whole number of CPUs
 * (rounded up), or undefined when there is no limit or no cgroup file.
 */
export function cgroupCpuLimit(read: (file: string) => string = (file) => readFileSync(file, 'utf8')): number | undefined {
  const attempt = (f: () => number | undefined) => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const fromQuota = (quota: number, period: number) => (Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0 ? Math.max(1, Math.ceil(quota / period)) : undefined);
  return (
    attempt(() => {
      const [quota, period] = read('/sys/fs/cgroup/cpu.max').trim().split(/\s+/);
      return quota === 'max' ? undefined : fromQuota(Number(quota), Number(period ?? 100000));
    }) ?? attempt(() => fromQuota(Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us').trim()), Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us').trim())))
  );
}

/** defaultWorkerCount is the CPUs this process may use: the CPUs it may run on (os.availableParallelism), capped by the cgroup quota. */
export function defaultWorkerCount(cpus: number = availableParallelism(), limit: number | undefined = cgroupCpuLimit()): number {
  return Math.max(1, limit === undefined ? cpus : Math.min(cpus, limit));
}

/** workerId is this process' worker number (1..N) under `serve --workers`, or undefined in a single-process server. */
export function workerId(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const id = Number(process.env[WORKER_ID_ENV]);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/**
 * reportMetricsToPrimary makes this worker answer the primary's metrics
 * requests with `registry` (prom-client's cluster protocol over IPC).
 */
export function reportMetricsToPrimary(registry: Registry): void {
  // Constructing one installs the worker's IPC listener; setRegistries picks what it reports.
  new AggregatorRegistry<PrometheusContentType>();
  AggregatorRegistry.setRegistries([registry]);
}

/** PrimaryOptions configures runPrimary. */
export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** metrics is the one /metrics endpoint (host, port, optional as in the single-process server), or false. */
  metrics: false | { host?: string; port?: number; optional?: boolean };
  /** drainMs is the workers' drain period: a worker still running drainMs + 5 s after SIGTERM is killed. */
  drainMs: number;
  /** signals are listened to for SIGTERM/SIGINT; default process. */
  signals?: SignalSource;
  /** exit ends the process on a second signal; default process.exit. */
  exit?: (code: number) => void;
}

/** ClusterRegistry answers metrics() with the sum over the workers (what the metrics server asks a Registry for). */
class ClusterRegistry extends AggregatorRegistry<PrometheusContentType> {
  override metrics(): Promise<string> {
    return this.clusterMetrics();
  }
}

/** RESTART_DELAY_MS is how long the primary waits before replacing a worker that died. */
const RESTART_DELAY_MS = 1000;

/**
 * runPrimary forks `workers` copies of this process (same arguments and
 * node flags, WORKER_ID_ENV set) and supervises them; resolves with the exit
 * status once a signal's shutdown has finished: 0 when every worker drained
 * (exited 0), else 1.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { logger } = options;
  let stopping = false;
  const byId = new Map<number, Worker>();
  const listening = new Set<number>();
  let address: { address: string; port: number } | undefined;
  let metricsPort: number | undefined;
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  let failedExits = 0;
  let exitCode: number | undefined;

  const metricsServer = options.metrics === false ? undefined : createMetricsServer({ registry: new ClusterRegistry(), host: options.metrics.host, port: options.metrics.port, logger });
  const stopAll = () => {
    stopping = true;
    if (byId.size === 0) {
      void finish();
      return;
    }
    for (const worker of byId.values()) worker.send({ type: SHUTDOWN_MESSAGE });
    // Workers drain for up to drainMs; one that hangs past it is killed (and counts as failed).
    setTimeout(() => {
      for (const worker of byId.values()) worker.process.kill('SIGKILL');
    }, options.drainMs + 5000).unref();
  };

  const fork = (id: number) => {
    const worker = cluster.fork({ [WORKER_ID_ENV]: String(id) });
    byId.set(id, worker);
    worker.on('listening', (a) => {
      listening.add(id);
      address ??= { address: a.address ?? '', port: a.port };
      if (listening.size === options.workers) logger.info({ host: address.address, port: address.port, metricsPort, workers: options.workers }, 'listening');
    });
    let served = false;
    worker.once('listening', () => (served = true));
    worker.on('exit', (code, signal) => {
      listening.delete(id);
      if (byId.get(id) === worker) byId.delete(id);
      if (stopping) {
        if (code !== 0) failedExits++;
        if (byId.size === 0) void finish();
        return;
      }
      if (!served) {
        // It never got to listen (bad flags, configuration or certificate): the others won't either.
        exitCode = code ?? 1;
        logger.error({ worker: id, code, signal }, 'worker failed to start: stopping');
        stopAll();
        return;
      }
      logger.error({ worker: id, code, signal }, `worker exited: starting another in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => {
        if (!stopping) fork(id);
      }, RESTART_DELAY_MS).unref();
    });
  };

  const finish = async () => {
    await metricsServer?.close();
    logger.info({ workers: options.workers, failed: failedExits }, 'all workers stopped');
    resolveStopped(exitCode ?? (failedExits === 0 ? 0 : 1));
  };

  const exit = options.exit ?? ((code: number) => process.exit(code));
  handleShutdownSignals({
    logger,
    source: options.signals,
    // A second signal: no more draining, for the workers either.
    exit: (code) => {
      for (const worker of byId.values()) worker.process.kill('SIGKILL');
      exit(code);
    },
    onShutdown: stopAll,
  });

  if (metricsServer) {
    try {
      metricsPort = (await metricsServer.listen()).port;
    } catch (err) {
      const optional = options.metrics !== false && options.metrics.optional === true;
      if (!optional || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      logger.warn({ port: options.metrics !== false ? options.metrics.port : undefined, err: errorMessage(err) }, 'default metrics port taken: serving without metrics');
    }
  }
  cluster.setupPrimary({ execArgv: process.execArgv, args: process.argv.slice(2) });
  for (let id = 1; id <= options.workers; id++) fork(id);
  return stopped;
}
