import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { monotonicClock, realClock } from '../kube/clock.js';
import type { Clock } from '../kube/clock.js';
import type { RuntimeSources } from './admission-runtime.js';
import { createApp } from './app.js';
import { requireClientCertificate } from './client-auth.js';
import { createInflightBudget } from './inflight-budget.js';
import type { Readiness, ReadinessCheck } from './app.js';
import { createConfigReloader } from './config-reloader.js';
import type { ConfigReloader } from './config-reloader.js';
import { createConvertEndpoint } from './convert-endpoint.js';
import type { DeadlineFailure } from './deadline.js';
import { countConversions, createDecisionRecorder } from './decision-metrics.js';
import { createHttpsListener } from './https-server.js';
import { createLargeReviewOffload, DEFAULT_LARGE_REVIEW_BYTES } from './large-reviews.js';
import { createServerMetrics } from './metrics.js';
import type { ServerMetrics } from './metrics.js';
import { createMetricsServer, DEFAULT_METRICS_PORT } from './metrics-server.js';
import { createGracefulShutdown, DEFAULT_DRAIN_MS } from './shutdown.js';
import { handleShutdownSignals } from './signals.js';
import type { SignalSource } from './signals.js';
import { createTlsReloader } from './tls-reloader.js';
import { createWebhookConfigLoader } from './webhook-config.js';
import type { WebhookConfig } from './webhook-config.js';
import { errorMessage } from '../kube/errors.js';

/**
 * DEFAULT_MAX_INFLIGHT_BYTES is 32 MiB of review bodies in flight: with the
 * measured cost of a review (docs/performance.md#memory-sizing) it keeps the heap
 * they take within the Deployment's memory limit.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;

/** ServerRuntimeOptions is everything `serve` configures, typed; every field documents its default. */
export interface ServerRuntimeOptions {
  logger: Logger;
  /** sources are the CRD and policy paths served and reloaded. */
  sources: RuntimeSources;
  /** host and port of the HTTPS listener (port 0 picks a free one). */
  host: string;
  port: number;
  /** certDir holds tls.crt and tls.key, re-read every certReloadMs (default 1 min) and on change. */
  certDir: string;
  certReloadMs?: number;
  /**
   * clientCaFile turns on client-certificate authentication: /mutate and
   * /validate answer only callers whose certificate this PEM bundle signed
   * (401 otherwise); it is re-read with the serving pair. Default none.
   */
  clientCaFile?: string;
  /** configResyncMs is the period of the content-hash re-read of the CRD and policy files that backs up their watch; 0 for none. Default 30 s. */
  configResyncMs?: number;
  /** metrics serves /metrics over plain HTTP; false for none. Default 0.0.0.0:9090. */
  metrics?: false | {
    host?: string;
    port?: number;
    /** optional lets a taken port be a warning instead of an error (the development default); default false. */
    optional?: boolean;
  };
  /** maxInflightBytes bounds the body bytes of the reviews served at once (429 past it); default DEFAULT_MAX_INFLIGHT_BYTES (32 MiB). */
  maxInflightBytes?: number;
  /** drainMs bounds the shutdown (default 30 s); delayMs keeps serving, unready, before closing the listener (default 0). */
  drainMs?: number;
  delayMs?: number;
  /** deadlineFailure is the answer when the apiserver's ?timeout= comes first; default deny. */
  deadlineFailure?: DeadlineFailure;
  /** worker is this process' number under `serve --workers N` (1..N): it logs "worker listening", the primary logs "listening" (workers.ts). */
  worker?: number;
  /** largeReviewBytes: admission reviews of at least this size are answered on a worker thread, so they never hold up small ones; default 256 KiB; false for never. */
  largeReviewBytes?: number | false;
  /** afterListen runs once the server listens (e.g. self-registration); when it throws, the server shuts down and start() rejects. */
  afterListen?: () => Promise<void>;
  /** registry receives every metric; default a new one. */
  registry?: Registry;
  /** clock measures deadlines, reload timers and the drain; default monotonicClock (certificate expiry uses realClock). */
  clock?: Clock;
  /** signals are listened to for SIGTERM/SIGINT once started; false for none (tests call shutdown()). Default process. */
  signals?: SignalSource | false;
  /** exit ends the process on a second signal or when the drain overruns; default process.exit. */
  exit?: (code: number) => void;
}

/** ServerRuntime is the webhook server process: configuration, HTTPS, certificates, metrics, shutdown. */
export interface ServerRuntime {
  readonly registry: Registry;
  readonly metrics: ServerMetrics;
  /** config is the configuration reloader (start() has loaded it). */
  readonly config: ConfigReloader<WebhookConfig>;
  /** start loads configuration and certificate, listens (HTTPS and metrics), runs afterListen, then handles signals. */
  start(): Promise<{ address: AddressInfo; metricsPort?: number }>;
  /** shutdown drains gracefully (as the first signal does); resolves with the exit status: 0 when every request was answered. */
  shutdown(reason: string): Promise<number>;
  /** stopped resolves with the exit status once a shutdown has finished. */
  stopped(): Promise<number>;
}

/**
 * createServerRuntime prepares (but does not start) the webhook server:
 * it checks nothing on disk and binds nothing until start(). The first
 * SIGTERM or SIGINT drains (readiness false, listener closed after delayMs,
 * requests in flight answered, within drainMs), a second exits at once.
 */
export function createServerRuntime(options: ServerRuntimeOptions): ServerRuntime {
  const { logger } = options;
  const clock = options.clock ?? monotonicClock;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const registry = options.registry ?? new Registry();
  const metrics = createServerMetrics({ registry, now: clock.now });
  const config = createConfigReloader<WebhookConfig>({ sources: options.sources, logger, registry, load: createWebhookConfigLoader(logger, metrics.crdUncheckedChecks), resyncMs: options.configResyncMs, clock });
  const tls = createTlsReloader({
    certDir: options.certDir,
    clientCaFile: options.clientCaFile,
    intervalMs: options.certReloadMs,
    logger,
    clock: { ...clock, now: realClock.now },
    onLoaded: (notAfter) => {
      metrics.certificateExpiry.set({ certificate: 'serving' }, notAfter.getTime() / 1000);
      metrics.certificateReloads.inc({ result: 'success' });
    },
    onError: () => metrics.certificateReloads.inc({ result: 'error' }),
  });
  const shutdown = createGracefulShutdown({ drainMs, delayMs: options.delayMs, logger, clock });
  const metricsServer = options.metrics === false ? undefined : createMetricsServer({ registry, host: options.metrics?.host, port: options.metrics?.port, logger });
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  const stop = (reason: string): Promise<number> => {
    const done = shutdown.shutdown(reason).then((result) => (result.drained ? 0 : 1));
    void done.then(resolveStopped);
    return done;
  };

  const budget = createInflightBudget(options.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES, (bytes) => metrics.inflightBytes.set(bytes));
  const recordDecisions = createDecisionRecorder(metrics.admissionDecisions);
  const chain = () => recordDecisions(config.current().chain);
  const convert = createConvertEndpoint({
    handler: countConversions(
      metrics.conversionObjects,
      createConversionHandler({
        registry: () => config.current().conversions,
        onError: (err, request) => logger.error({ uid: request.uid, err: err.message }, 'converter failed'),
        onWarning: (message, request) => logger.warn({ uid: request.uid, problem: message }, 'conversion data ignored'),
      }),
    ),
    logger,
    metrics,
    clock,
    budget,
  });
  // The large-review worker thread reloads when the configuration in force is a new object.
  const generations = new WeakMap<object, number>();
  let generation = 0;
  const large =
    options.largeReviewBytes === false
      ? undefined
      : createLargeReviewOffload({
          sources: options.sources,
          generation: () => {
            const current = config.current();
            let g = generations.get(current);
            if (g === undefined) generations.set(current, (g = ++generation));
            return g;
          },
          failure: options.deadlineFailure ?? 'deny',
          logger,
          decisions: metrics.admissionDecisions,
          thresholdBytes: options.largeReviewBytes ?? DEFAULT_LARGE_REVIEW_BYTES,
        });
  const ready = (): Readiness => {
    const down = shutdown.readiness();
    const certificate = tls.readiness();
    const served = config.status();
    const notAfter = tls.current()?.notAfter.toISOString();
    const checks: ReadinessCheck[] = [
      { name: 'shutdown', ok: down.ready, detail: down.reason },
      { name: 'certificate', ok: certificate.ready, detail: certificate.reason ?? (notAfter ? `notAfter=${notAfter}` : undefined) },
      {
        name: 'config',
        ok: true,
        detail: `hash=${served.hash} loadedAt=${new Date(served.loadedAt).toISOString()}${served.failing ? ` lastReloadFailed=${JSON.stringify(served.failing.error)}` : ''}`,
      },
    ];
    const failed = !down.ready ? down : certificate;
    return { ready: failed.ready, reason: failed.reason, checks };
  };
  const app = createApp({
    mutate: createMutateHandler({ chain }),
    validate: createValidateHandler({ chain }),
    convert,
    logger,
    metrics,
    ready,
    deadline: { failure: options.deadlineFailure ?? 'deny' },
    clock,
    large,
    authenticate: options.clientCaFile === undefined ? undefined : requireClientCertificate,
    budget,
  });

  const listenMetrics = async (): Promise<number | undefined> => {
    if (!metricsServer) return undefined;
    try {
      return (await metricsServer.listen()).port;
    } catch (err) {
      // Several dev servers on one machine: only an explicitly configured metrics port must bind.
      if (!options.metrics || !options.metrics.optional || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      logger.warn({ port: options.metrics.port ?? DEFAULT_METRICS_PORT, err: errorMessage(err) }, 'default metrics port taken: serving without metrics');
      return undefined;
    }
  };

  return {
    registry,
    metrics,
    config,
    async start() {
      const loaded = await config.start();
      logger.info({ crds: loaded.crds.crds.map((c) => c.metadata.name), policies: loaded.policies.policies.length }, 'configuration loaded');
      try {
        await tls.start();
      } catch (err) {
        config.stop(); // or its watchers keep the process alive after the error
        throw err;
      }
      const listener = createHttpsListener({ app: shutdown.track(app), tls: tls.tlsOptions(), host: options.host, port: options.port, requestClientCertificate: options.clientCaFile !== undefined });
      tls.attach(listener.server);
      shutdown.addServer(listener.server);
      shutdown.onStopped(() => tls.stop());
      shutdown.onStopped(() => config.stop());
      shutdown.onStopped(() => large?.close());
      shutdown.onStopped(() => metricsServer?.close());
      let address: AddressInfo;
      let metricsPort: number | undefined;
      try {
        address = await listener.listen();
        metricsPort = await listenMetrics();
      } catch (err) {
        await stop('listen failed');
        throw err;
      }
      const listening = { host: address.address, port: address.port, metricsPort, clientCa: options.clientCaFile, notAfter: tls.current()?.notAfter.toISOString() };
      if (options.worker === undefined) logger.info(listening, 'listening');
      else logger.info(listening, 'worker listening');
      if (options.signals !== false) {
        handleShutdownSignals({
          logger,
          source: options.signals,
          exit,
          onShutdown: (signal) => {
            // A last resort if something keeps the event loop alive past the drain period.
            clock.setTimeout(() => exit(1), drainMs + 5000);
            void stop(signal);
          },
        });
      }
      if (options.afterListen) {
        try {
          await options.afterListen();
        } catch (err) {
          // Don't keep serving half-configured: stop, and let the caller report the error.
          await stop('start-up step failed');
          throw err;
        }
      }
      return { address, metricsPort };
    },
    shutdown: stop,
    stopped: () => stopped,
  };
}
