import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { parseAdmissionReview } from '../admission/parse-review.js';
import type { AdmissionHandler } from '../admission/handlers.js';
import { allow, deny, intoReview } from '../admission/response.js';
import type { AdmissionResponse, AdmissionReviewRequest } from '../admission/review.js';
import { answerBeforeDeadline, computeDeadline, deadlineResponse } from './deadline.js';
import type { DeadlineOptions } from './deadline.js';
import { errorStatus } from './error-status.js';
import { queryParam, sendJson } from './raw-http.js';
import { readJsonBody } from './read-json-body.js';
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
  /** now returns a monotonic time in milliseconds; injected for tests. */
  now?: () => number;
}

/**
 * createAdmissionEndpoint adapts an AdmissionHandler to node's request and response (no
 * express on the hot path: raw-http.ts). It reads and
 * parses the body once; bad input gets our 4xx convention (errorStatus);
 * a handler that throws becomes an errored AdmissionReview (HTTP 200,
 * allowed false, code 500) that still echoes the uid and apiVersion. One log
 * line per review: uid, kind, operation, decision, latency — never the object.
 */
export function createAdmissionEndpoint(options: AdmissionEndpointOptions) {
  const now = options.now ?? (() => performance.now());
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = now();
    const deadline = computeDeadline(queryParam(req.url, 'timeout'), started, options.deadline);
    const done = options.metrics.requestStarted(options.webhook);
    let review: AdmissionReviewRequest;
    try {
      review = parseAdmissionReview(await readJsonBody(req, options.bodyLimit));
    } catch (err) {
      const { httpStatus, body } = errorStatus(err);
      options.logger.info({ webhook: options.webhook, code: httpStatus, err: (err as Error).message }, 'bad admission request');
      sendJson(res, httpStatus, body);
      done(httpStatus);
      return;
    }
    const { request } = review;
    let response: AdmissionResponse;
    try {
      const outcome = await answerBeforeDeadline(() => options.handler(request), deadline, now);
      if (outcome.expired) {
        const action = options.deadline?.failure ?? 'deny';
        options.metrics.deadlineExceeded?.(options.webhook, action);
        options.logger.warn({ webhook: options.webhook, uid: request.uid, budgetMs: deadline.budgetMs, action }, 'admission deadline reached before evaluation finished');
        response = deadlineResponse(request, action);
      } else {
        response = outcome.value;
      }
    } catch (err) {
      options.logger.error({ webhook: options.webhook, uid: request.uid, err: (err as Error).message, stack: (err as Error).stack }, 'admission handler failed');
      response = deny(allow(request), { code: 500, reason: 'InternalError', message: 'internal error while evaluating the request' });
    }
    sendJson(res, 200, intoReview(review, response));
    done(200);
    options.logger.info(
      {
        webhook: options.webhook,
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
        latencyMs: Math.round((now() - started) * 1000) / 1000,
      },
      'admission review',
    );
  };
}
