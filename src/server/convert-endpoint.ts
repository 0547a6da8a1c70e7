import type { Logger } from 'pino';
import type { ConversionHandler } from '../conversion/convert-review.js';
import { parseConversionReview } from '../conversion/parse-review.js';
import { conversionResponseFor, intoConversionReview } from '../conversion/response.js';
import type { ConversionResponse, ConversionReviewRequest } from '../conversion/review.js';
import type { Clock } from '../kube/clock.js';
import type { InflightBudget } from './inflight-budget.js';
import type { RawEndpoint } from './raw-http.js';
import { createReviewEndpoint } from './review-endpoint.js';
import type { ReviewAnswer } from './review-endpoint.js';
import { noopWebhookMetrics } from './webhook-metrics.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** ConvertEndpointOptions configures the /convert route. */
export interface ConvertEndpointOptions {
  handler: ConversionHandler;
  logger: Logger;
  /** metrics records the call under webhook "convert"; default records nothing. */
  metrics?: WebhookMetrics;
  /** bodyLimit is the largest body in bytes; default 7 MiB (readJsonBody). */
  bodyLimit?: number;
  /** clock measures latency; default monotonicClock. */
  clock?: Clock;
  /** budget bounds the body bytes in flight, shared with the admission endpoints; default none. */
  budget?: InflightBudget;
}

function answered(review: ConversionReviewRequest, response: ConversionResponse): ReviewAnswer {
  const { request } = review;
  return {
    body: intoConversionReview(review, response),
    log: {
      reviewVersion: review.apiVersion,
      uid: request.uid,
      desiredAPIVersion: request.desiredAPIVersion,
      objects: request.objects.length,
      result: response.result.status,
      // The failure message names namespace/name and a field, never a value.
      message: response.result.status === 'Success' ? undefined : response.result.message,
    },
  };
}

/**
 * createConvertEndpoint adapts a ConversionHandler to the review skeleton
 * (review-endpoint.ts; POST /convert). A conversion failure is HTTP 200
 * with `result.status: "Failure"`; a handler that throws (a bug) becomes
 * such a failure too, still echoing the uid and the review's apiVersion.
 */
export function createConvertEndpoint(options: ConvertEndpointOptions): RawEndpoint {
  return createReviewEndpoint<ConversionReviewRequest>({
    webhook: 'convert',
    kind: 'conversion',
    logger: options.logger,
    metrics: options.metrics ?? noopWebhookMetrics,
    bodyLimit: options.bodyLimit,
    clock: options.clock,
    budget: options.budget,
    parse: parseConversionReview,
    uidOf: (review) => review.request.uid,
    answer: (review) => answered(review, options.handler(review.request)),
    failed: (review) => answered(review, conversionResponseFor(review.request).errored('internal error while converting')),
  });
}
