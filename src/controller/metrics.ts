import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Prometheus metrics under controller-runtime's names, so that existing
 * dashboards for Go controllers work unchanged. They live in an injected
 * registry (never the global one) and are shared by all controllers of a
 * process: each queue and controller adds its own `name` / `controller` label.
 */

/** ControllerMetrics bundles the metrics one process exposes. */
export interface ControllerMetrics {
  /** workqueueDepth is `workqueue_depth{name}`: keys waiting to be processed. */
  workqueueDepth: Gauge<'name'>;
  /** workqueueAdds is `workqueue_adds_total{name}`: keys handed to add. */
  workqueueAdds: Counter<'name'>;
  /** workqueueRetries is `workqueue_retries_total{name}`: rate-limited re-adds. */
  workqueueRetries: Counter<'name'>;
  /** workqueueQueueDuration is `workqueue_queue_duration_seconds{name}`: time from add to get. */
  workqueueQueueDuration: Histogram<'name'>;
  /** workqueueWorkDuration is `workqueue_work_duration_seconds{name}`: time from get to done. */
  workqueueWorkDuration: Histogram<'name'>;
  /** reconcileTotal is `controller_runtime_reconcile_total{controller,result}`; result is success, error, requeue or requeue_after. */
  reconcileTotal: Counter<'controller' | 'result'>;
  /** reconcileErrors is `controller_runtime_reconcile_errors_total{controller}`. */
  reconcileErrors: Counter<'controller'>;
  /** reconcileTime is `controller_runtime_reconcile_time_seconds{controller}`. */
  reconcileTime: Histogram<'controller'>;
  /** activeWorkers is `controller_runtime_active_workers{controller}`. */
  activeWorkers: Gauge<'controller'>;
  /** leaderStatus is `leader_election_master_status{name}`: 1 while this process holds the lease. */
  leaderStatus: Gauge<'name'>;
  /** apiWrites is `portcullis_controller_api_writes_total{verb,resource}`: mutating API calls made (the benchmark reads it). */
  apiWrites: Counter<'verb' | 'resource'>;
  /** apiRequests is `portcullis_controller_api_requests_total{verb,resource}`: every API call attempted, reads included (the request rate of a standby). */
  apiRequests: Counter<'verb' | 'resource'>;
}

// controller-runtime: prometheus.ExponentialBuckets(10e-9, 10, 12)
const DURATION_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

function shared<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * createControllerMetrics registers the controller metrics in registry, or
 * returns the ones already registered there (several controllers share them).
 */
export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const registers = [registry];
  return {
    workqueueDepth: shared(registry, 'workqueue_depth', () =>
      new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers })),
    workqueueAdds: shared(registry, 'workqueue_adds_total', () =>
      new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers })),
    workqueueRetries: shared(registry, 'workqueue_retries_total', () =>
      new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers })),
    workqueueQueueDuration: shared(registry, 'workqueue_queue_duration_seconds', () =>
      new Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested',
        labelNames: ['name'],
        buckets: DURATION_BUCKETS,
        registers,
      })),
    workqueueWorkDuration: shared(registry, 'workqueue_work_duration_seconds', () =>
      new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes',
        labelNames: ['name'],
        buckets: DURATION_BUCKETS,
        registers,
      })),
    reconcileTotal: shared(registry, 'controller_runtime_reconcile_total', () =>
      new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers })),
    reconcileErrors: shared(registry, 'controller_runtime_reconcile_errors_total', () =>
      new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers })),
    reconcileTime: shared(registry, 'controller_runtime_reconcile_time_seconds', () =>
      new Histogram({
        name: 'controller_runtime_reconcile_time_seconds',
        help: 'Length of time per reconciliation per controller',
        labelNames: ['controller'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60],
        registers,
      })),
    activeWorkers: shared(registry, 'controller_runtime_active_workers', () =>
      new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers })),
    leaderStatus: shared(registry, 'leader_election_master_status', () =>
      new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'], registers })),
    apiWrites: shared(registry, 'portcullis_controller_api_writes_total', () =>
      new Counter({ name: 'portcullis_controller_api_writes_total', help: 'Mutating API requests made by the controller', labelNames: ['verb', 'resource'], registers })),
    apiRequests: shared(registry, 'portcullis_controller_api_requests_total', () =>
      new Counter({ name: 'portcullis_controller_api_requests_total', help: 'API requests attempted by the controller, reads included', labelNames: ['verb', 'resource'], registers })),
  };
}
