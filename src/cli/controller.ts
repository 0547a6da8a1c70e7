import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { loadBindings } from '../controller/binding-loader.js';
import { loadClusterConfig } from '../controller/cluster-config.js';
import { createController, type Controller } from '../controller/controller.js';
import { createRestClient } from '../controller/rest-client.js';
import { errorMessage } from '../kube/errors.js';
import { createMetricsServer } from '../server/metrics-server.js';
import { handleShutdownSignals } from '../server/signals.js';
import { parseDurationFlag, parseFlags, parseLogLevel, UsageError } from './args.js';
import { createCliLogger } from './logger.js';
import { CONTROLLER_FLAGS } from './controller-flags.js';

export { CONTROLLER_FLAGS };

/** CONTROLLER_USAGE documents `portcullis controller` (the same flags work on `serve --controller`). */
export const CONTROLLER_USAGE = `Usage: portcullis controller [flags]

Run the companion controller: for each ControllerBinding, keep a cluster-scoped
CR per matching source object (see docs/controller.md).

Flags:
  --kubeconfig PATH                  kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster;
                                     finding none is an error naming each)
  --context NAME                     kubeconfig context (default: its current-context)
  --bindings DIR                     folder of ControllerBinding YAML (default policies/bindings,
                                     relative to the current folder)
  --workers N                        parallel reconciles per binding (default 2)
  --resync DURATION                  full resync and orphan sweep period, 0 = off (default 10m)
  --qps N, --burst N                 retry token bucket (default 10, 100)
  --leader-elect[=false]             use a Lease so only one replica works (default true)
  --leader-elect-namespace NS        Lease namespace (default POD_NAMESPACE or portcullis-system)
  --leader-elect-name NAME           Lease name (default portcullis-controller)
  --leader-elect-lease-duration D    (default 15s)
  --leader-elect-renew-deadline D    (default 10s)
  --leader-elect-retry-period D      (default 2s; LeaseDuration > RenewDeadline > 1.2 x RetryPeriod > 0)
  --identity ID                      candidate identity (default <hostname>_<uuid>)
  --metrics-bind-address ADDR:PORT   serve /metrics, /healthz and /readyz over plain HTTP (default off)
  --log-level LEVEL                  trace, debug, info, warn, error (default info)
Durations are Go durations: 500ms, 2s, 1m30s, 10m, 1h.
Exit status: 0 after SIGTERM/SIGINT, 1 when a control loop crashed, 2 for bad
flags, bindings or cluster configuration.
`;

/** ControllerFlagValues are the parsed CONTROLLER_FLAGS. */
export type ControllerFlagValues = { [K in keyof typeof CONTROLLER_FLAGS]?: (typeof CONTROLLER_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

function positiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** positiveDuration is a duration flag that must be above zero (lease timings: client-go rejects 0). */
function positiveDuration(value: string | undefined, fallbackMs: number, flag: string): number {
  const ms = parseDurationFlag(value, fallbackMs, flag);
  if (ms <= 0) throw new UsageError(`${flag} must be greater than zero, got ${JSON.stringify(value)}`);
  return ms;
}

/**
 * createControllerFromFlags loads the cluster configuration and the bindings
 * named by the flags (both fail here, before anything starts: a binding whose
 * filter does not compile, or no cluster configuration, naming every source
 * tried) and returns an unstarted controller. `serve --controller` calls
 * this with its own logger and registry, then start()/stop() alongside the server.
 */
export async function createControllerFromFlags(values: ControllerFlagValues, deps: { logger: Logger; registry: Registry }): Promise<Controller> {
  const bindings = await loadBindings(values.bindings ?? 'policies/bindings');
  const kubeConfig = loadClusterConfig({ kubeconfig: values.kubeconfig, context: values.context });
  const identity = values.identity ?? `${hostname()}_${randomUUID()}`;
  return createController({
    client: createRestClient({ kubeConfig }),
    bindings,
    logger: deps.logger,
    registry: deps.registry,
    workers: positiveInt(values.workers, 2, '--workers'),
    resyncMs: parseDurationFlag(values.resync, 600_000, '--resync'),
    qps: positiveInt(values.qps, 10, '--qps'),
    burst: positiveInt(values.burst, 100, '--burst'),
    host: identity,
    leaderElection:
      values['leader-elect'] !== false
        ? {
            identity,
            namespace: values['leader-elect-namespace'] ?? process.env.POD_NAMESPACE ?? 'portcullis-system',
            name: values['leader-elect-name'] ?? 'portcullis-controller',
            leaseDurationMs: positiveDuration(values['leader-elect-lease-duration'], 15_000, '--leader-elect-lease-duration'),
            renewDeadlineMs: positiveDuration(values['leader-elect-renew-deadline'], 10_000, '--leader-elect-renew-deadline'),
            retryPeriodMs: positiveDuration(values['leader-elect-retry-period'], 2_000, '--leader-elect-retry-period'),
          }
        : false,
  });
}

function bindAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--metrics-bind-address must be HOST:PORT, got ${JSON.stringify(address)}`);
  }
  return { host: colon > 0 ? address.slice(0, colon) : '127.0.0.1', port };
}

/**
 * runController runs the controller until SIGTERM/SIGINT (a second signal
 * exits at once), then stops it cleanly, releasing the lease: exit 0. If a
 * control loop crashes, the controller stops itself and this returns 1, so
 * the kubelet restarts the container.
 */
export async function runController(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...CONTROLLER_FLAGS,
    'metrics-bind-address': { type: 'string' },
    'log-level': { type: 'string' },
  });
  const logger = createCliLogger(parseLogLevel(values['log-level']));
  const registry = new Registry();
  const controller = await createControllerFromFlags(values, { logger, registry });
  const metrics = values['metrics-bind-address']
    ? createMetricsServer({ registry, logger, ...bindAddress(values['metrics-bind-address']), probes: { live: controller.healthy, ready: controller.ready } })
    : undefined;
  if (metrics) {
    const address = await metrics.listen();
    logger.info({ address: `${address.address}:${address.port}` }, 'serving metrics, /healthz and /readyz');
  }
  let shutdown!: () => void;
  const signalled = new Promise<void>((resolve) => (shutdown = resolve));
  const removeSignals = handleShutdownSignals({ logger, onShutdown: () => shutdown() });
  // The controller's own timers are unref'd; this keeps the process up until it ends.
  const keepAlive = setInterval(() => {}, 1 << 30);
  controller.start();
  let code = 0;
  try {
    await Promise.race([signalled, controller.done()]);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'a control loop crashed; exiting with status 1 so the controller is restarted');
    code = 1;
  }
  clearInterval(keepAlive);
  await controller.stop();
  removeSignals();
  await metrics?.close();
  logger.flush();
  return code;
}
