import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../kube/clock.js';
import { errorMessage } from '../kube/errors.js';
import type { ClientCheck } from './client-auth.js';
import type { InflightBudget } from './inflight-budget.js';
import { monotonicClock } from '../kube/clock.js';
import type { JsonValue } from '../kube/types.js';
import { errorStatus } from './error-status.js';
import { sendJson, sendJsonText } from './raw-http.js';
import type { RawEndpoint } from './raw-http.js';
import { DEFAULT_BODY_LIMIT, parseJsonBody, readRawJsonBody } from './read-json-body.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** ReviewAnswer is what an endpoint sends for one review (HTTP 200) and what its log line adds. */
export interface ReviewAnswer {
  /** body is the whole review sent back (an AdmissionReview or a ConversionReview). */
  body: unknown;
  /** log holds the fields of the one info line per review: ids, decision, counts; never object contents. */
  log: Record<string, unknown>;
}

/** ReviewContext is what an endpoint knows of the HTTP request besides the review. */
export interface ReviewContext {
  /** started is when the request arrived, on the endpoint's clock. */
  started: number;
  /** url is the request's path and query (the apiserver's `?timeout=`). */
  url: string | undefined;
}

/**
 * OffloadedAnswer is an answer computed off the event loop (the large-review
 * worker thread) as JSON text: a review answered (HTTP 200) with its log
 * fields, or a body that is no review (its 4xx Status).
 */
export type OffloadedAnswer =
  | { kind: 'answered'; text: string; log: Record<string, unknown>; failed?: { message: string; stack?: string } }
  | { kind: 'bad-request'; httpStatus: number; text: string; message: string };

/** ReviewOffload answers bodies of at least thresholdBytes elsewhere; a rejection makes the endpoint answer on its own thread. */
export interface ReviewOffload {
  readonly thresholdBytes: number;
  answer(body: Buffer, context: ReviewContext): Promise<OffloadedAnswer>;
}

/** ReviewEndpointOptions configures createReviewEndpoint: the HTTP skeleton plus what differs per review kind. */
export interface ReviewEndpointOptions<Review> {
  /** webhook names the route in logs and metrics ("mutate", "validate", "convert"). */
  webhook: string;
  /** kind words the log messages: "admission" gives "admission review", "bad admission request", "admission handler failed". */
  kind: string;
  /** parse turns the JSON body into a review or throws a PortcullisError (answered with its 4xx status). */
  parse(body: JsonValue): Review;
  /** answer decides the review; may be synchronous. A throw is a bug: it is logged and answered by failed(). */
  answer(review: Review, context: ReviewContext): ReviewAnswer | Promise<ReviewAnswer>;
  /** failed answers a review whose answer() threw (still echoing its uid and apiVersion). */
  failed(review: Review): ReviewAnswer;
  /** uidOf names the review in the error log. */
  uidOf(review: Review): string;
  logger: Logger;
  metrics: WebhookMetrics;
  /** bodyLimit is the largest body in bytes; default 7 MiB (readJsonBody). */
  bodyLimit?: number;
  /** clock measures latency and deadlines; default monotonicClock. */
  clock?: Clock;
  /** offload, when given, answers large bodies off the event loop (large-reviews.ts). */
  offload?: ReviewOffload;
  /** authenticate refuses a request before its body is read (throws a PortcullisError, e.g. 401); default accepts all. */
  authenticate?: ClientCheck;
  /** budget bounds the body bytes in flight across endpoints: a review that would pass it is refused with 429 before its body is read; default none. */
  budget?: InflightBudget;
}

// The apiserver always sends Content-Length; a chunked body is counted at the body limit.
function declaredLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  return Number.isFinite(declared) && declared >= 0 ? declared : undefined;
}

/**
 * createReviewEndpoint is the one HTTP skeleton of /mutate, /validate and
 * /convert, on node's own request and response (no express on the hot path:
 * raw-http.ts). It counts the request, refuses it when unauthenticated (401)
 * or when its body would pass the in-flight bound (429), reads and parses
 * the body once (bad input gets our 4xx convention, errorStatus), calls
 * answer() (a throw is counted and becomes failed(): handlers never throw
 * past the HTTP layer), sends the
 * review with HTTP 200 and writes one info line per review.
 */
export function createReviewEndpoint<Review>(options: ReviewEndpointOptions<Review>): RawEndpoint {
  const clock = options.clock ?? monotonicClock;
  const { metrics, webhook, offload } = options;
  // The webhook name is bound once: pino serializes a child's bindings when it is made, not per line.
  const logger = options.logger.child({ webhook });
  const reviewed = `${options.kind} review`;
  const badRequest = `bad ${options.kind} request`;
  const latency = (started: number) => Math.round((clock.now() - started) * 1000) / 1000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = clock.now();
    const done = metrics.requestStarted(webhook);
    const context = { started, url: req.url };
    let review: Review;
    try {
      options.authenticate?.(req);
      if (options.budget) res.once('close', options.budget.reserve(declaredLength(req) ?? options.bodyLimit ?? DEFAULT_BODY_LIMIT));
      const body = await readRawJsonBody(req, options.bodyLimit);
      if (offload && body.length >= offload.thresholdBytes) {
        const reply = await offload.answer(body, context).catch((err: unknown) => {
          logger.warn({ err: errorMessage(err) }, `${options.kind} review not answered off the event loop: answering it here`);
          return undefined;
        });
        if (reply?.kind === 'bad-request') {
          logger.info({ code: reply.httpStatus, err: reply.message }, badRequest);
          sendJsonText(res, reply.httpStatus, reply.text);
          done(reply.httpStatus);
          return;
        }
        if (reply) {
          if (reply.failed) logger.error({ uid: reply.log['uid'], err: reply.failed.message, stack: reply.failed.stack }, `${options.kind} handler failed`);
          sendJsonText(res, 200, reply.text);
          done(200);
          logger.info({ ...reply.log, offloaded: true, latencyMs: latency(started) }, reviewed);
          return;
        }
      }
      review = options.parse(parseJsonBody(body));
    } catch (err) {
      const { httpStatus, body } = errorStatus(err);
      if (httpStatus === 401 || httpStatus === 429) req.resume(); // the body is drained, never kept
      if (httpStatus === 429) res.setHeader('retry-after', '1');
      logger.info({ code: httpStatus, err: errorMessage(err) }, badRequest);
      sendJson(res, httpStatus, body);
      done(httpStatus);
      return;
    }
    let answer: ReviewAnswer;
    try {
      const pending = options.answer(review, context);
      answer = pending instanceof Promise ? await pending : pending;
    } catch (err) {
      metrics.handlerFailed?.(webhook);
      logger.error({ uid: options.uidOf(review), err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, `${options.kind} handler failed`);
      answer = options.failed(review);
    }
    sendJson(res, 200, answer.body);
    done(200);
    logger.info({ ...answer.log, latencyMs: latency(started) }, reviewed);
  };
}
