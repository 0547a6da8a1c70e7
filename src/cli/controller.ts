import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { loadBindings } from '../controller/binding-loader.js';
import { createController, type Controller } from '../controller/controller.js';
import { createRestClient } from '../controller/rest-client.js';
import { parseFlags, UsageError } from './args.js';
import { createCliLogger } from './logger.js';
import { CONTROLLER_FLAGS } from './controller-flags.js';

export { CONTROLLER_FLAGS };

/** CONTROLLER_USAGE documents `portcullis controller` (the same flags work on `serve --controller`). */
export const CONTROLLER_USAGE = `Usage: portcullis controller [flags]

Run the companion controller: for each ControllerBinding, keep a cluster-scoped
CR per matching source object (see docs/controller.md).

Flags:
  --kubeconfig PATH                  kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --bindings DIR                     folder of ControllerBinding YAML (default policies/bindings)
  --workers N                        parallel reconciles per binding (default 2)
  --resync DURATION                  full resync and orphan sweep period, 0 = off (default 10m)
  --qps N, --burst N                 retry token bucket (default 10, 100)
  --leader-elect true|false          use a Lease so only one replica works (default true)
  --leader-elect-namespace NS        Lease namespace (default POD_NAMESPACE or portcullis-system)
  --leader-elect-name NAME           Lease name (default portcullis-controller)
  --leader-elect-lease-duration D    (default 15s)
  --leader-elect-renew-deadline D    (default 10s)
  --leader-elect-retry-period D      (default 2s)
  --identity ID                      candidate identity (default <hostname>_<uuid>)
  --metrics-bind-address ADDR:PORT   serve /metrics over plain HTTP (default off)
  --log-level LEVEL                  pino level (default info)
Durations: 500ms, 2s, 10m, 1h (a bare number means seconds).
`;


/** ControllerFlagValues are the parsed CONTROLLER_FLAGS. */
export type ControllerFlagValues = Partial<Record<keyof typeof CONTROLLER_FLAGS, string>>;

/** parseDuration turns `500ms`, `2s`, `10m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(value: string | undefined, fallbackMs: number, flag: string): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UsageError(`${flag} must be a duration like 500ms, 2s or 10m, got ${JSON.stringify(value)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function positiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * createControllerFromFlags loads the kubeconfig and bindings named by the
 * flags and returns an unstarted controller. `serve --controller` calls this
 * with its own logger and registry, then start()/stop() alongside the server.
 */
export async function createControllerFromFlags(values: ControllerFlagValues, deps: { logger: Logger; registry: Registry }): Promise<Controller> {
  const kubeConfig = new KubeConfig();
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const bindings = await loadBindings(values.bindings ?? 'policies/bindings');
  const leaderElect = (values['leader-elect'] ?? 'true').toLowerCase();
  if (leaderElect !== 'true' && leaderElect !== 'false') throw new UsageError('--leader-elect must be true or false');
  const identity = values.identity ?? `${hostname()}_${randomUUID()}`;
  return createController({
    client: createRestClient({ kubeConfig }),
    bindings,
    logger: deps.logger,
    registry: deps.registry,
    workers: positiveInt(values.workers, 2, '--workers'),
    resyncMs: parseDuration(values.resync, 600_000, '--resync'),
    qps: positiveInt(values.qps, 10, '--qps'),
    burst: positiveInt(values.burst, 100, '--burst'),
    host: identity,
    leaderElection:
      leaderElect === 'true'
        ? {
            identity,
            namespace: values['leader-elect-namespace'] ?? process.env.POD_NAMESPACE ?? 'portcullis-system',
            name: values['leader-elect-name'] ?? 'portcullis-controller',
            leaseDurationMs: parseDuration(values['leader-elect-lease-duration'], 15_000, '--leader-elect-lease-duration'),
            renewDeadlineMs: parseDuration(values['leader-elect-renew-deadline'], 10_000, '--leader-elect-renew-deadline'),
            retryPeriodMs: parseDuration(values['leader-elect-retry-period'], 2_000, '--leader-elect-retry-period'),
          }
        : false,
  });
}

function serveMetrics(address: string, registry: Registry, logger: Logger): () => Promise<void> {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : '127.0.0.1';
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port)) throw new UsageError('--metrics-bind-address must be HOST:PORT');
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.listen(port, host, () => logger.info({ address }, 'serving metrics'));
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** runController runs the controller until SIGTERM/SIGINT, then stops it cleanly (releasing the lease). */
export async function runController(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...CONTROLLER_FLAGS,
    'metrics-bind-address': { type: 'string' },
    'log-level': { type: 'string' },
  });
  const logger = createCliLogger(values['log-level'] ?? 'info');
  const registry = new Registry();
  const controller = await createControllerFromFlags(values, { logger, registry });
  const closeMetrics = values['metrics-bind-address'] ? serveMetrics(values['metrics-bind-address'], registry, logger) : undefined;
  controller.start();
  // The controller's own timers are unref'd; this keeps the process up until a signal arrives.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(keepAlive);
  await controller.stop();
  await closeMetrics?.();
  logger.flush();
  return 0;
}
