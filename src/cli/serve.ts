import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { CERT_FILES, ensureDevCertificates } from '../server/certificates.js';
import { DEFAULT_CONFIG_RESYNC_MS } from '../server/config-reloader.js';
import { DEFAULT_METRICS_PORT } from '../server/metrics-server.js';
import { createServerRuntime, DEFAULT_MAX_INFLIGHT_BYTES } from '../server/runtime.js';
import type { ServerRuntimeOptions } from '../server/runtime.js';
import { DEFAULT_DRAIN_MS } from '../server/shutdown.js';
import { defaultWorkerCount, reportMetricsToPrimary, runPrimary, workerId, workerSignals } from '../server/workers.js';
import { parseDurationFlag, parseFlags, parseLogLevel, parsePort, UsageError } from './args.js';
import type { FlagValues } from './args.js';
import { CONTROLLER_FLAGS } from './controller-flags.js';
import { createCliLogger } from './logger.js';
import { resolveSources, SOURCE_USAGE } from './sources.js';
import { buildManifests, MANIFEST_FLAGS, manifestOptionsFrom } from './manifests.js';
import type { ObjectApplier } from './register.js';
import { MANIFEST_DEFAULTS } from './webhook-manifests.js';

/** SERVE_FLAGS is the parseArgs spec of `portcullis serve`. */
export const SERVE_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  crds: { type: 'string', multiple: true },
  policies: { type: 'string', multiple: true },
  'cert-dir': { type: 'string' },
  'client-ca': { type: 'string' },
  'dns-name': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'no-dev-certs': { type: 'boolean' },
  controller: { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'drain-period': { type: 'string' },
  'shutdown-delay': { type: 'string' },
  'cert-reload-interval': { type: 'string' },
  'config-reload-interval': { type: 'string' },
  'deadline-failure': { type: 'string' },
  'max-inflight-bytes': { type: 'string' },
  register: { type: 'boolean' },
  ...CONTROLLER_FLAGS, // with --kubeconfig and --context, which --register uses too
  // serve's --workers is its server processes; the embedded controller's reconcile parallelism is --controller-workers.
  workers: { type: 'string' },
  'controller-workers': { type: 'string' },
  ...MANIFEST_FLAGS,
} as const;

/** SERVE_USAGE documents `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [flags]

Serve the admission (/mutate, /validate) and conversion (/convert) webhooks over HTTPS.

Flags:
  --port N           HTTPS port (default 8443)
  --host ADDR        address to bind (default 0.0.0.0)
${SOURCE_USAGE}  --cert-dir DIR     folder with tls.crt/tls.key, reloaded when they change; dev
                     certificates are generated there when missing, never
                     overwritten (default certs)
  --no-dev-certs     never generate certificates: fail when tls.crt/tls.key are missing
  --client-ca FILE   answer /mutate and /validate only for callers with a client
                     certificate this PEM CA bundle signed (401 otherwise); re-read
                     with the serving pair (default: no client authentication)
  --dns-name NAME    extra SAN for generated certificates, repeatable
  --log-level LEVEL  pino level: trace, debug, info, warn, error (default info)
  --workers N        server processes sharing the port (node:cluster; one
                     /metrics, one shutdown for all); default: the CPUs this
                     container may use (CPU affinity, capped by the cgroup quota)
  --controller       also run the companion controller (in worker 1): its
                     flags, e.g. --bindings, --leader-elect*, are those of
                     'portcullis controller' (its --workers is --controller-workers
                     here); see its --help
  --metrics-port N          plain-HTTP /metrics port, 0 for a free one (default 9090;
                            when not given and 9090 is taken, serve runs without metrics)
  --metrics-host ADDR       address for /metrics, e.g. 127.0.0.1 (default 0.0.0.0)
  --drain-period DUR        longest shutdown after SIGTERM (default 30s)
  --shutdown-delay DUR      keep serving, not ready, before closing the listener so
                            endpoints catch up (default 0; the Deployment uses 5s)
  --cert-reload-interval DUR  periodic certificate re-read besides the watch (default 1m)
  --config-reload-interval DUR  periodic re-read (content hash) of the --crds and --policies
                            files besides the watch, 0 for none: a missed file event
                            leaves a stale configuration at most this long (default 30s)
  --deadline-failure P      deny or allow when ?timeout= would pass first (default deny)
  --max-inflight-bytes N    body bytes of the reviews served at once; a review that would
                            pass it is refused with 429 (default 32Mi; Ki, Mi, Gi suffixes)
  --register                apply the webhook configurations and CRD conversion stanzas
                            at start (server-side apply); flags of 'portcullis manifests'
                            apply (--namespace, --service, ...); caBundle defaults to
                            <cert-dir>/ca.crt
  --kubeconfig FILE         cluster for --register (default in-cluster, then $KUBECONFIG)
  --context NAME            kubeconfig context for --register and --controller (default: its current-context)
Durations are Go's: 30s, 1m30s, 500ms, 0.
`;

type ServeValues = FlagValues<typeof SERVE_FLAGS>;

/** ServeDeps are what tests replace: the server-side applier of --register. */
export interface ServeDeps {
  applier?: ObjectApplier;
}

/**
 * serveOptionsFrom turns serve's flags into the runtime's typed options
 * (UsageError on a bad value). `--register` becomes the runtime's
 * afterListen step.
 */
export function serveOptionsFrom(values: ServeValues, logger: Logger, deps: ServeDeps = {}): ServerRuntimeOptions {
  const failure = values['deadline-failure'] ?? 'deny';
  if (failure !== 'deny' && failure !== 'allow') throw new UsageError(`--deadline-failure must be deny or allow, got ${JSON.stringify(failure)}`);
  const certDir = values['cert-dir'] ?? 'certs';
  const sources = { crdPaths: values.crds ?? ['manifests/crds'], policyPaths: values.policies ?? ['policies'] };
  return {
    logger,
    sources,
    host: values.host ?? '0.0.0.0',
    port: parsePort(values.port, 8443),
    certDir,
    clientCaFile: values['client-ca'],
    certReloadMs: parseDurationFlag(values['cert-reload-interval'], 60_000, '--cert-reload-interval'),
    configResyncMs: parseDurationFlag(values['config-reload-interval'], DEFAULT_CONFIG_RESYNC_MS, '--config-reload-interval'),
    metrics: {
      host: values['metrics-host'] ?? '0.0.0.0',
      port: parsePort(values['metrics-port'], DEFAULT_METRICS_PORT, '--metrics-port'),
      optional: values['metrics-port'] === undefined,
    },
    drainMs: parseDurationFlag(values['drain-period'], DEFAULT_DRAIN_MS, '--drain-period'),
    delayMs: parseDurationFlag(values['shutdown-delay'], 0, '--shutdown-delay'),
    deadlineFailure: failure,
    maxInflightBytes: parseBytes(values['max-inflight-bytes'], DEFAULT_MAX_INFLIGHT_BYTES, '--max-inflight-bytes'),
    afterListen: values.register ? () => register(values, { logger, certDir, sources, applier: deps.applier }) : undefined,
  };
}

const BINARY_SUFFIX: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** parseBytes reads a positive byte count: 1048576, 512Ki, 32Mi, 1Gi. */
function parseBytes(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const match = /^([0-9]{1,12})(Ki|Mi|Gi)?$/.exec(value);
  const bytes = match ? Number(match[1]) * (BINARY_SUFFIX[match[2] ?? ''] as number) : Number.NaN;
  if (!(bytes > 0)) throw new UsageError(`${flag} must be a positive number of bytes like 33554432, 512Ki or 32Mi, got ${JSON.stringify(value)}`);
  return bytes;
}

async function register(values: ServeValues, context: { logger: Logger; certDir: string; sources: ServerRuntimeOptions['sources']; applier?: ObjectApplier }): Promise<void> {
  const { logger } = context;
  const caBundleFile = values['ca-bundle'] ?? path.join(context.certDir, CERT_FILES.caCert);
  const manifestOptions = await manifestOptionsFrom({ ...values, 'ca-bundle': undefined });
  manifestOptions.caBundle = await readFile(caBundleFile, 'utf8').catch(() => undefined);
  if (manifestOptions.caBundle === undefined) logger.warn({ caBundleFile }, 'no CA file: registering without a caBundle');
  const { manifests } = await buildManifests(context.sources, manifestOptions);
  // Loaded only here: @kubernetes/client-node costs ~50 MiB of RSS and seconds of start-up.
  const { createServerSideApplier, registerWebhooks } = await import('./register.js');
  await registerWebhooks({ manifests, apply: context.applier ?? createServerSideApplier({ kubeconfig: values.kubeconfig, context: values.context }), logger });
}

/**
 * warnIfStillRegistered says, on shutdown after `--register`, that the
 * webhook configurations stay registered: with failurePolicy Fail the
 * apiserver now rejects every write they cover until a server answers again
 * (docs/deploy.md says how to remove them).
 */
function warnIfStillRegistered(values: ServeValues, logger: Logger): void {
  if (!values.register || (values['failure-policy'] ?? MANIFEST_DEFAULTS.failurePolicy) !== 'Fail') return;
  const name = MANIFEST_DEFAULTS.name;
  logger.warn(
    { validatingWebhookConfiguration: name, mutatingWebhookConfiguration: name, failurePolicy: 'Fail', remove: `kubectl delete validatingwebhookconfiguration ${name} && kubectl delete mutatingwebhookconfiguration ${name}` },
    'the webhook configurations registered with failurePolicy Fail stay registered: until a server answers again the apiserver rejects the writes they cover; remove them if this server is gone for good',
  );
}

/** parseWorkers reads --workers: a whole number of processes from 1, default defaultWorkerCount(). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return defaultWorkerCount();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`--workers must be a whole number from 1 to 1024, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * runServe starts the webhook server and resolves with the exit status when
 * it has stopped. With more than one worker this process becomes the
 * node:cluster primary (workers.ts) and each worker runs this same function.
 */
export async function runServe(argv: string[], deps: ServeDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, SERVE_FLAGS);
  const worker = workerId();
  const processLogger = createCliLogger(parseLogLevel(values['log-level']));
  // Under --workers every line of a worker says which one it is.
  const logger = worker === undefined ? processLogger : processLogger.child({ worker });
  // A missing default folder says it is relative to the current folder; an explicit --crds path without a CRD is refused.
  if (workerId() === undefined) await resolveSources(values);
  const options = serveOptionsFrom(values, logger, deps);
  const workers = parseWorkers(values.workers);
  // Certificates are made once, by the primary (or the single process), before any worker reads them.
  if (values['no-dev-certs'] !== true && worker === undefined) {
    const { generated } = await ensureDevCertificates(options.certDir, { dnsNames: values['dns-name'] ?? [] });
    if (generated) logger.info({ certDir: path.resolve(options.certDir) }, 'generated development certificates');
  }
  if (workers > 1 && worker === undefined) {
    const code = await runPrimary({ workers, logger, metrics: options.metrics ?? false, drainMs: options.drainMs ?? DEFAULT_DRAIN_MS });
    logger.flush();
    return code;
  }
  let registry: Registry | undefined;
  if (worker !== undefined) {
    // The primary serves the one /metrics endpoint from every worker's registry; --register runs once, in worker 1.
    registry = new Registry();
    reportMetricsToPrimary(registry);
    Object.assign(options, { worker, registry, metrics: false, signals: workerSignals(), afterListen: worker === 1 ? options.afterListen : undefined });
  }
  const runtime = createServerRuntime(options);
  await runtime.start();
  // The controller is loaded only when asked for: its Kubernetes client costs
  // tens of MiB and seconds of start-up that a plain webhook server needn't pay.
  const controllerValues = { ...values, workers: values['controller-workers'] };
  const controller = values.controller && (worker === undefined || worker === 1)
    ? await (await import('./controller.js')).createControllerFromFlags(controllerValues, { logger, registry: runtime.registry })
    : undefined;
  controller?.start();
  // A crashed controller loop ends the process with status 1 (after a graceful drain), so the kubelet (or, for a
  // worker, the primary) restarts it.
  let crashed = false;
  controller?.done().catch(() => {
    crashed = true;
    void runtime.shutdown('controller crashed');
  });
  const code = await runtime.stopped();
  await controller?.stop(); // releases the Lease so a standby takes over at once
  if (worker === undefined || worker === 1) warnIfStillRegistered(values, logger); // the process that registered
  logger.flush();
  // A worker's IPC channel to the primary would keep it alive: close it, so the worker exits with `code`.
  if (worker !== undefined) process.disconnect?.();
  return crashed ? 1 : code;
}
