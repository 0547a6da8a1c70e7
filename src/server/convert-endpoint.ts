import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ConversionHandler } from '../conversion/convert-review.js';
import { parseConversionReview } from '../conversion/parse-review.js';
import { ConversionResponse, intoConversionReview } from '../conversion/response.js';
import type { ConversionReviewRequest } from '../conversion/review.js';
import { errorStatus } from './error-status.js';
import { sendJson } from './raw-http.js';
import { readJsonBody } from './read-json-body.js';
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
  /** now returns a monotonic time in milliseconds; injected for tests. */
  now?: () => number;
}

/**
 * createConvertEndpoint adapts a ConversionHandler to node's request and
 * response (POST /convert; no express on the hot path: raw-http.ts). It reads and parses the body once; bad input gets our 4xx
 * convention (errorStatus: HTTP 400/413/415 with a metav1.Status body). A
 * conversion failure is HTTP 200 with `result.status: "Failure"`; a handler
 * that throws (a bug) becomes such a failure too, still echoing the uid and
 * the review's apiVersion. One log line per review: uid,
 * desiredAPIVersion, object count, result, latency — never object contents.
 */
export function createConvertEndpoint(options: ConvertEndpointOptions) {
  const now = options.now ?? (() => performance.now());
  const metrics = options.metrics ?? noopWebhookMetrics;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = now();
    const done = metrics.requestStarted('convert');
    let review: ConversionReviewRequest;
    try {
      review = parseConversionReview(await readJsonBody(req, options.bodyLimit));
    } catch (err) {
      const { httpStatus, body } = errorStatus(err);
      options.logger.info({ webhook: 'convert', code: httpStatus, err: (err as Error).message }, 'bad conversion request');
      sendJson(res, httpStatus, body);
      done(httpStatus);
      return;
    }
    const { request } = review;
    let response: ConversionResponse;
    try {
      response = options.handler(request);
    } catch (err) {
      options.logger.error({ webhook: 'convert', uid: request.uid, err: (err as Error).message, stack: (err as Error).stack }, 'conversion handler failed');
      response = ConversionResponse.for(request).failure('internal error while converting');
    }
    sendJson(res, 200, intoConversionReview(review, response));
    done(200);
    options.logger.info(
      {
        webhook: 'convert',
        reviewVersion: review.apiVersion,
        uid: request.uid,
        desiredAPIVersion: request.desiredAPIVersion,
        objects: request.objects.length,
        result: response.result.status,
        // The failure message names namespace/name and a field, never a value.
        message: response.result.status === 'Success' ? undefined : response.result.message,
        latencyMs: Math.round((now() - started) * 1000) / 1000,
      },
      'conversion review',
    );
  };
}
