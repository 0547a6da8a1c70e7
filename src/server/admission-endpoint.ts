import type { Logger } from 'pino';
import { parseAdmissionReview } from '../admission/parse-review.js';
import type { AdmissionHandler } from '../admission/handlers.js';
import { errored, intoReview } from '../admission/response.js';
import type { AdmissionResponse, AdmissionReviewRequest } from '../admission/review.js';
import type { Clock } from '../kube/clock.js';
import { monotonicClock } from '../kube/clock.js';
import type { ClientCheck } from './client-auth.js';
import type { InflightBudget } from './inflight-budget.js';
import { answerBeforeDeadline, computeDeadline, deadlineResponse } from './deadline.js';
import { deniedBy } from './decision-metrics.js';
import type { DeadlineOptions } from './deadline.js';
import { queryParam } from './raw-http.js';
import type { RawEndpoint } from './raw-http.js';
import { createReviewEndpoint } from './review-endpoint.js';
import type { ReviewAnswer, ReviewOffload } from './review-endpoint.js';
import type { LargeReviewOffload } from './large-reviews.js';
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
  /** large answers reviews of at least its threshold on the large-review worker thread; default: every review on the event loop. */
  large?: LargeReviewOffload;
  /** authenticate refuses a caller before its body is read (serve --client-ca); default accepts all. */
  authenticate?: ClientCheck;
  /** budget bounds the body bytes in flight (serve --max-inflight-bytes); default none. */
  budget?: InflightBudget;
}

/**
 * answeredReview is the answer to one admission review: the AdmissionReview
 * sent back and the fields of its decision log line (ids, user, operation,
 * decision; for a denial what denied it: deniedBy), never object contents.
 */
export function answeredReview(review: AdmissionReviewRequest, response: AdmissionResponse): ReviewAnswer {
  const { request } = review;
  const log: Record<string, unknown> = {
    uid: request.uid,
    kind: `${request.kind.group}/${request.kind.version}/${request.kind.kind}`,
    namespace: request.namespace,
    name: request.name,
    operation: request.operation,
    user: request.userInfo?.username,
    dryRun: request.dryRun === true,
    allowed: response.allowed,
    code: response.status?.code,
    patched: response.patch !== undefined,
    warnings: response.warnings?.length ?? 0,
  };
  if (!response.allowed) log['deniedBy'] = deniedBy(request);
  return { body: intoReview(review, response), log };
}

/** erroredReview answers a review whose evaluation threw: allowed false, code 500, uid and apiVersion echoed. */
export function erroredReview(review: AdmissionReviewRequest): ReviewAnswer {
  return answeredReview(review, errored(review.request, 500, 'internal error while evaluating the request'));
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
  const { large } = options;
  const webhook = options.webhook === 'mutate' ? 'mutate' : 'validate';
  const offload: ReviewOffload | undefined = large && {
    thresholdBytes: large.thresholdBytes,
    async answer(body, context) {
      const deadline = computeDeadline(queryParam(context.url, 'timeout'), context.started, options.deadline);
      const reply = await large.answer(webhook, body, deadline.at);
      if (reply.kind === 'answered' && reply.expired === true) {
        options.metrics.deadlineExceeded?.(options.webhook, failure);
        options.logger.warn({ webhook: options.webhook, uid: reply.log['uid'], budgetMs: deadline.budgetMs, action: failure }, 'admission deadline reached before evaluation finished');
      }
      return reply;
    },
  };
  return createReviewEndpoint<AdmissionReviewRequest>({
    offload,
    webhook: options.webhook,
    kind: 'admission',
    logger: options.logger,
    metrics: options.metrics,
    bodyLimit: options.bodyLimit,
    clock,
    authenticate: options.authenticate,
    budget: options.budget,
    parse: parseAdmissionReview,
    uidOf: (review) => review.request.uid,
    async answer(review, context) {
      const { request } = review;
      const deadline = computeDeadline(queryParam(context.url, 'timeout'), context.started, options.deadline);
      const outcome = await answerBeforeDeadline(() => options.handler(request), deadline, clock);
      if (!outcome.expired) return answeredReview(review, outcome.value);
      options.metrics.deadlineExceeded?.(options.webhook, failure);
      options.logger.warn({ webhook: options.webhook, uid: request.uid, budgetMs: deadline.budgetMs, action: failure }, 'admission deadline reached before evaluation finished');
      return answeredReview(review, deadlineResponse(request, failure));
    },
    failed: erroredReview,
  });
}
