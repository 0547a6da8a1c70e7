import { collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { WebhookMetrics } from './webhook-metrics.js';

/**
 * Prometheus metrics of the webhook server. The webhook request metrics carry
 * controller-runtime's names and labels, so dashboards made for Go webhooks
 * work unchanged; the rest are prefixed `portcullis_`. Everything lives in an
 * injected registry (never prom-client's global one).
 */

/** LATENCY_BUCKETS are the webhook latency histogram buckets in seconds: 50 µs to 10 s, sub-millisecond first (a schema check takes ~100 µs). */
export const LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** ServerMetrics is the prom-client implementation of WebhookMetrics plus the server's other metrics. */
export interface ServerMetrics extends WebhookMetrics {
  readonly registry: Registry;
  /** requestsTotal is `controller_runtime_webhook_requests_total{webhook,code}`. */
  readonly requestsTotal: Counter<'webhook' | 'code'>;
  /** latency is `controller_runtime_webhook_latency_seconds{webhook}`. */
  readonly latency: Histogram<'webhook'>;
  /** inFlight is `controller_runtime_webhook_requests_in_flight{webhook}`. */
  readonly inFlight: Gauge<'webhook'>;
  /**
   * admissionDecisions is `portcullis_admission_decisions_total{stage,policy,rule,action,result}`:
   * one increment per rule that decided something (action e.g. deny/warn/mutate, result e.g. allowed/denied).
   */
  readonly admissionDecisions: Counter<'stage' | 'policy' | 'rule' | 'action' | 'result'>;
  /** conversionObjects is `portcullis_conversion_objects_total{result}`: objects converted (result success or failure). */
  readonly conversionObjects: Counter<'result'>;
  /** deadlineAnswers is `portcullis_admission_deadline_exceeded_total{webhook,action}`: answers given by the failure preference because the deadline came first. */
  readonly deadlineAnswers: Counter<'webhook' | 'action'>;
  /** certificateExpiry is `portcullis_certificate_expiration_timestamp_seconds{certificate}`: notAfter of the certificate being served, Unix seconds. */
  readonly certificateExpiry: Gauge<'certificate'>;
  /** certificateReloads is `portcullis_certificate_reloads_total{result}`: certificate re-reads that changed the served certificate (success) or failed (error). */
  readonly certificateReloads: Counter<'result'>;
  /** crdUncheckedChecks is `portcullis_crd_unchecked_checks{crd}`: CEL rules of a loaded CRD that Portcullis cannot compile and skips (the apiserver still runs them); set on each load. */
  readonly crdUncheckedChecks: Gauge<'crd'>;
  /** webhookPanics is controller-runtime's `controller_runtime_webhook_panics_total`: admission handlers that threw. */
  readonly webhookPanics: Counter;
  /** conversionPanics is controller-runtime's `controller_runtime_conversion_webhook_panics_total`: conversion handlers that threw. */
  readonly conversionPanics: Counter;
  /** inflightBytes is `portcullis_inflight_review_bytes`: body bytes of the reviews being served (bounded by --max-inflight-bytes). */
  readonly inflightBytes: Gauge;
}

/** ServerMetricsOptions configures createServerMetrics. */
export interface ServerMetricsOptions {
  registry: Registry;
  /** processMetrics registers Node's process and runtime metrics (collectDefaultMetrics); default true. */
  processMetrics?: boolean;
  /** now returns a monotonic time in milliseconds (latency); default performance.now. */
  now?: () => number;
}

// Another component may have registered a metric of the same name in the
// shared registry first (e.g. two servers in one test process): reuse it.
// Under `serve --workers N` the primary adds the workers' metrics up; a certificate is per pod, so every worker reloading it counts once ('max'), and its expiry is the earliest ('min').
function shared<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * createServerMetrics registers the server's metrics in `options.registry`
 * (or reuses those already there) and returns them. Registering process
 * metrics twice in one registry is avoided the same way.
 */
export function createServerMetrics(options: ServerMetricsOptions): ServerMetrics {
  const { registry } = options;
  const registers = [registry];
  const now = options.now ?? (() => performance.now());
  if ((options.processMetrics ?? true) && registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  const requestsTotal = shared(registry, 'controller_runtime_webhook_requests_total', () =>
    new Counter({ name: 'controller_runtime_webhook_requests_total', help: 'Total number of admission requests by HTTP status code.', labelNames: ['webhook', 'code'], registers }));
  const latency = shared(registry, 'controller_runtime_webhook_latency_seconds', () =>
    new Histogram({ name: 'controller_runtime_webhook_latency_seconds', help: 'Histogram of the latency of processing admission requests', labelNames: ['webhook'], buckets: [...LATENCY_BUCKETS], registers }));
  const inFlight = shared(registry, 'controller_runtime_webhook_requests_in_flight', () =>
    new Gauge({ name: 'controller_runtime_webhook_requests_in_flight', help: 'Current number of admission requests being served.', labelNames: ['webhook'], registers }));
  const admissionDecisions = shared(registry, 'portcullis_admission_decisions_total', () =>
    new Counter({ name: 'portcullis_admission_decisions_total', help: 'Admission decisions by stage, policy, rule, action and result.', labelNames: ['stage', 'policy', 'rule', 'action', 'result'], registers }));
  const conversionObjects = shared(registry, 'portcullis_conversion_objects_total', () =>
    new Counter({ name: 'portcullis_conversion_objects_total', help: 'Objects converted by the conversion webhook, by result.', labelNames: ['result'], registers }));
  const deadlineAnswers = shared(registry, 'portcullis_admission_deadline_exceeded_total', () =>
    new Counter({ name: 'portcullis_admission_deadline_exceeded_total', help: 'Admission requests answered by the deadline failure preference instead of an evaluation.', labelNames: ['webhook', 'action'], registers }));
  const certificateExpiry = shared(registry, 'portcullis_certificate_expiration_timestamp_seconds', () =>
    new Gauge({ name: 'portcullis_certificate_expiration_timestamp_seconds', help: 'The date after which the served certificate expires, in Unix seconds.', labelNames: ['certificate'], aggregator: 'min', registers }));
  const certificateReloads = shared(registry, 'portcullis_certificate_reloads_total', () =>
    new Counter({ name: 'portcullis_certificate_reloads_total', help: 'Certificate reloads that changed the served certificate (success) or failed (error).', labelNames: ['result'], aggregator: 'max', registers }));
  const crdUncheckedChecks = shared(registry, 'portcullis_crd_unchecked_checks', () =>
    new Gauge({ name: 'portcullis_crd_unchecked_checks', help: 'CEL rules of a loaded CRD that Portcullis cannot compile and skips; the apiserver still runs them.', labelNames: ['crd'], aggregator: 'max', registers }));
  const webhookPanics = shared(registry, 'controller_runtime_webhook_panics_total', () =>
    new Counter({ name: 'controller_runtime_webhook_panics_total', help: 'Total number of webhook panics', registers }));
  const conversionPanics = shared(registry, 'controller_runtime_conversion_webhook_panics_total', () =>
    new Counter({ name: 'controller_runtime_conversion_webhook_panics_total', help: 'Total number of conversion webhook panics', registers }));

  const inflightBytes = shared(registry, 'portcullis_inflight_review_bytes', () =>
    new Gauge({ name: 'portcullis_inflight_review_bytes', help: 'Body bytes of the reviews being served; a review that would pass --max-inflight-bytes is refused with 429.', registers }));

  return {
    registry,
    inflightBytes,
    requestsTotal,
    latency,
    inFlight,
    admissionDecisions,
    conversionObjects,
    deadlineAnswers,
    certificateExpiry,
    certificateReloads,
    crdUncheckedChecks,
    webhookPanics,
    conversionPanics,
    requestStarted(webhook) {
      const started = now();
      inFlight.inc({ webhook });
      let finished = false;
      return (code) => {
        if (finished) return;
        finished = true;
        inFlight.dec({ webhook });
        requestsTotal.inc({ webhook, code: String(code) });
        latency.observe({ webhook }, (now() - started) / 1000);
      };
    },
    deadlineExceeded(webhook, action) {
      deadlineAnswers.inc({ webhook, action });
    },
    handlerFailed(webhook) {
      (webhook === 'convert' ? conversionPanics : webhookPanics).inc();
    },
  };
}
