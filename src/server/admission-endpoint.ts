import type { Logger } from 'pino';
import { parseAdmissionReview } from '../admission/parse-review.js';
import type { AdmissionHandler } from '../admission/handlers.js';
import { allow, deny, intoReview } from '../admission/response.js';
import type { AdmissionResponse, AdmissionReviewRequest } from '../admission/review.js';
import type { Clock } from '../kube/clock.js';
import { monotonicClock } from '../kube/clock.js';
import { answerBeforeDeadline, computeDeadline, deadlineResponse } from './deadline.js';
import type { DeadlineOptions } from './deadline.js';
import { queryParam } from './raw-http.js';
import type { RawEndpoint } from './raw-http.js';
import { createReviewEndpoint } from './review-endpoint.js';
import type { ReviewAnswer } from './review-endpoint.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** AdmissionEndpointOptions configures one admission route. */
export interface AdmissionEndpointOptions {
  /** webhook names the route in logs and metrics ("mutate" or "validate"). */
  webhook: string;
  handler: AdmissionHandler;
  logger: Logger;
  metrics: WebhookMetrics;
  bodyLimit?: number;
  /** deadline configures the answer given when the apiserver's ?timeout= would pass first (default: deny). */
  deadline?: DeadlineOptions;
  /** clock measures latency and the deadline; default monotonicClock (tests inject a fake one). */
  clock?: Clock;
}

function answered(review: AdmissionReviewRequest, response: AdmissionResponse): ReviewAnswer {
  const { request } = review;
  return {
    body: intoReview(review, response),
    log: {
      uid: request.uid,
      kind: `${request.kind.group}/${request.kind.version}/${request.kind.kind}`,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
      dryRun: request.dryRun === true,
      allowed: response.allowed,
      code: response.status?.code,
      patched: response.patch !== undefined,
      warnings: response.warnings?.length ?? 0,
    },
  };
}

/**
 * createAdmissionEndpoint adapts an AdmissionHandler to the review
 * skeleton (review-endpoint.ts): it answers before the apiserver's
 * `?timeout=` by the failure preference when evaluation can't finish in
 * time, and a handler that throws becomes an errored AdmissionReview (HTTP
 * 200, allowed false, code 500) that still echoes the uid and apiVersion.
 */
export function createAdmissionEndpoint(options: AdmissionEndpointOptions): RawEndpoint {
  const clock = options.clock ?? monotonicClock;
  const failure = options.deadline?.failure ?? 'deny';
  return createReviewEndpoint<AdmissionReviewRequest>({
    webhook: options.webhook,
    kind: 'admission',
    logger: options.logger,
    metrics: options.metrics,
    bodyLimit: options.bodyLimit,
    clock,
    parse: parseAdmissionReview,
    uidOf: (review) => review.request.uid,
    async answer(review, context) {
      const { request } = review;
      const deadline = computeDeadline(queryParam(context.url, 'timeout'), context.started, options.deadline);
      const outcome = await answerBeforeDeadline(() => options.handler(request), deadline, clock);
      if (!outcome.expired) return answered(review, outcome.value);
      options.metrics.deadlineExceeded?.(options.webhook, failure);
      options.logger.warn({ webhook: options.webhook, uid: request.uid, budgetMs: deadline.budgetMs, action: failure }, 'admission deadline reached before evaluation finished');
      return answered(review, deadlineResponse(request, failure));
    },
    failed: (review) => answered(review, deny(allow(review.request), { code: 500, reason: 'InternalError', message: 'internal error while evaluating the request' })),
  });
}
