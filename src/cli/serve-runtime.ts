import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { AdmissionChain } from '../admission/stage.js';
import type { ConversionHandler } from '../conversion/convert-review.js';
import { CERT_FILES } from '../server/certificates.js';
import { countConversions, createDecisionRecorder } from '../server/decision-metrics.js';
import { parseGoDuration } from '../server/deadline.js';
import type { DeadlineOptions } from '../server/deadline.js';
import { createHttpsListener } from '../server/https-server.js';
import { createServerMetrics } from '../server/metrics.js';
import type { ServerMetrics } from '../server/metrics.js';
import { createMetricsServer, DEFAULT_METRICS_PORT } from '../server/metrics-server.js';
import { createGracefulShutdown, DEFAULT_DRAIN_MS } from '../server/shutdown.js';
import { createTlsReloader } from '../server/tls-reloader.js';
import { parsePort, UsageError } from './args.js';
import { buildManifests, MANIFEST_FLAGS, manifestOptionsFrom } from './manifests.js';
import type { ObjectApplier } from './register.js';

/**
 * The production half of `serve`: metrics, certificate reload, graceful
 * shutdown, deadline preference and self-registration. serve.ts builds the
 * app and hands it to start(); everything here is configured by the flags
 * below.
 */

/** SERVE_RUNTIME_FLAGS are the parseArgs options serve adds for running in a cluster. */
export const SERVE_RUNTIME_FLAGS = {
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'drain-period': { type: 'string' },
  'shutdown-delay': { type: 'string' },
  'cert-reload-interval': { type: 'string' },
  'deadline-failure': { type: 'string' },
  register: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  ...MANIFEST_FLAGS,
} as const;

/** SERVE_RUNTIME_USAGE documents SERVE_RUNTIME_FLAGS (appended to SERVE_USAGE). */
export const SERVE_RUNTIME_USAGE = `  --metrics-port N          plain-HTTP /metrics port, 0 for a free one (default 9090;
                            when not given and 9090 is taken, serve runs without metrics)
  --metrics-host ADDR       address for /metrics, e.g. 127.0.0.1 (default 0.0.0.0)
  --drain-period DUR        longest shutdown after SIGTERM (default 30s)
  --shutdown-delay DUR      keep serving, not ready, before closing the listener so
                            endpoints catch up (default 0; the Deployment uses 5s)
  --cert-reload-interval DUR  periodic certificate re-read besides the watch (default 1m)
  --deadline-failure P      deny or allow when ?timeout= would pass first (default deny)
  --register                apply the webhook configurations and CRD conversion stanzas
                            at start (server-side apply); flags of 'portcullis manifests'
                            apply (--namespace, --service, ...); caBundle defaults to
                            <cert-dir>/ca.crt
  --kubeconfig FILE         cluster for --register (default in-cluster, then $KUBECONFIG)
`;

type RuntimeValues = Partial<Record<Exclude<keyof typeof SERVE_RUNTIME_FLAGS, 'register'>, string>> & { register?: boolean };

/** ServeRuntimeOptions are what serve already knows. */
export interface ServeRuntimeOptions {
  values: RuntimeValues;
  logger: Logger;
  host: string;
  port: number;
  certDir: string;
  sources: { crdPaths: readonly string[]; policyPaths: readonly string[] };
  /** applier overrides the server-side applier of --register (tests). */
  applier?: ObjectApplier;
}

/** ServeRuntime wires a built app into a production server. */
export interface ServeRuntime {
  readonly registry: Registry;
  readonly metrics: ServerMetrics;
  /** appOptions go into createApp: metrics, readiness (certificate valid, not shutting down) and the deadline preference. */
  readonly appOptions: { metrics: ServerMetrics; ready: () => { ready: boolean; reason?: string }; deadline: DeadlineOptions };
  /** recordDecisions wraps a chain's stages to count their outcomes in portcullis_admission_decisions_total (cached per chain). */
  recordDecisions(chain: AdmissionChain): AdmissionChain;
  /** countConversions wraps a conversion handler to count objects in portcullis_conversion_objects_total. */
  countConversions(handler: ConversionHandler): ConversionHandler;
  /** start loads the certificate, listens (HTTPS and metrics), registers when asked, and handles SIGTERM/SIGINT. */
  start(app: RequestListener): Promise<void>;
  /** stopped resolves with the exit status once a signal's shutdown has finished. */
  stopped(): Promise<number>;
}

function duration(value: string | undefined, fallbackMs: number, flag: string): number {
  if (value === undefined) return fallbackMs;
  if (value === '0' || value === '0s') return 0;
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new UsageError(`${flag} must be a duration like 30s or 1m, got ${JSON.stringify(value)}`);
  return ms;
}

/** createServeRuntime checks the flags and prepares (but does not start) the runtime. */
export function createServeRuntime(options: ServeRuntimeOptions): ServeRuntime {
  const { values, logger } = options;
  const drainMs = duration(values['drain-period'], DEFAULT_DRAIN_MS, '--drain-period');
  const delayMs = duration(values['shutdown-delay'], 0, '--shutdown-delay');
  const reloadMs = duration(values['cert-reload-interval'], 60_000, '--cert-reload-interval');
  const failure = values['deadline-failure'] ?? 'deny';
  if (failure !== 'deny' && failure !== 'allow') throw new UsageError(`--deadline-failure must be deny or allow, got ${JSON.stringify(failure)}`);
  const metricsPort = parsePort(values['metrics-port'], DEFAULT_METRICS_PORT, '--metrics-port');

  const registry = new Registry();
  const metrics = createServerMetrics({ registry });
  const reloader = createTlsReloader({
    certDir: options.certDir,
    intervalMs: reloadMs,
    logger,
    onLoaded: (notAfter) => {
      metrics.certificateExpiry.set({ certificate: 'serving' }, notAfter.getTime() / 1000);
      metrics.certificateReloads.inc({ result: 'success' });
    },
    onError: () => metrics.certificateReloads.inc({ result: 'error' }),
  });
  const shutdown = createGracefulShutdown({ drainMs, delayMs, logger });
  const metricsServer = createMetricsServer({ registry, host: values['metrics-host'] ?? '0.0.0.0', port: metricsPort, logger });
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));

  const ready = () => {
    const down = shutdown.readiness();
    return down.ready ? reloader.readiness() : down;
  };

  return {
    registry,
    metrics,
    appOptions: { metrics, ready, deadline: { failure } },
    recordDecisions: createDecisionRecorder(metrics.admissionDecisions),
    countConversions: (handler) => countConversions(metrics.conversionObjects, handler),
    async start(app) {
      await reloader.start();
      const listener = createHttpsListener({ app: shutdown.track(app), tls: reloader.tlsOptions(), host: options.host, port: options.port });
      reloader.attach(listener.server);
      shutdown.addServer(listener.server);
      shutdown.onStopped(() => reloader.stop());
      shutdown.onStopped(() => metricsServer.close());
      const address = await listener.listen().catch((err: unknown) => {
        reloader.stop();
        throw err;
      });
      let metricsPortBound: number | undefined;
      try {
        metricsPortBound = (await metricsServer.listen()).port;
      } catch (err) {
        // Several dev servers on one machine: only an explicit --metrics-port must bind.
        if (values['metrics-port'] !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
          await shutdown.shutdown('metrics port unavailable');
          throw err;
        }
        logger.warn({ port: metricsPort, err: (err as Error).message }, 'default metrics port taken: serving without metrics');
      }
      logger.info({ host: address.address, port: address.port, metricsPort: metricsPortBound, notAfter: reloader.current()?.notAfter.toISOString() }, 'listening');

      let signalled = false;
      const onSignal = (signal: string) => {
        if (signalled) {
          logger.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        signalled = true;
        // A last resort if something keeps the event loop alive past the drain period.
        setTimeout(() => process.exit(1), drainMs + 5000).unref();
        void shutdown.shutdown(signal).then((result) => resolveStopped(result.drained ? 0 : 1));
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));

      if (values.register) {
        const caBundleFile = values['ca-bundle'] ?? path.join(options.certDir, CERT_FILES.caCert);
        const manifestOptions = await manifestOptionsFrom({ ...values, 'ca-bundle': undefined });
        manifestOptions.caBundle = await readFile(caBundleFile, 'utf8').catch(() => undefined);
        if (manifestOptions.caBundle === undefined) logger.warn({ caBundleFile }, 'no CA file: registering without a caBundle');
        const { manifests } = await buildManifests(options.sources, manifestOptions);
        // Loaded only here: @kubernetes/client-node costs ~50 MiB of RSS and seconds of start-up.
        const { createServerSideApplier, registerWebhooks } = await import('./register.js');
        try {
          await registerWebhooks({ manifests, apply: options.applier ?? createServerSideApplier({ kubeconfig: values.kubeconfig }), logger });
        } catch (err) {
          // Don't keep serving half-configured: stop, and let the caller report the error.
          await shutdown.shutdown('registration failed');
          throw err;
        }
      }
    },
    stopped: () => stopped,
  };
}
