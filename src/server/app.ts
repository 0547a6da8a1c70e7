import type { RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AdmissionHandler } from '../admission/handlers.js';
import type { Clock } from '../kube/clock.js';
import type { ClientCheck } from './client-auth.js';
import type { InflightBudget } from './inflight-budget.js';
import { createAdmissionEndpoint } from './admission-endpoint.js';
import type { DeadlineOptions } from './deadline.js';
import type { LargeReviewOffload } from './large-reviews.js';
import { statusBody } from './error-status.js';
import { pathOf, sendJson } from './raw-http.js';
import type { RawEndpoint } from './raw-http.js';
import { noopWebhookMetrics } from './webhook-metrics.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import { errorMessage } from '../kube/errors.js';

/** ReadinessCheck is one line of `/readyz?verbose`. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** detail is shown after the check's name, e.g. the configuration hash and load time. */
  detail?: string;
}

/** Readiness is what /readyz answers: ready or not (with the reason), and the checks behind it. */
export interface Readiness {
  ready: boolean;
  reason?: string;
  checks?: readonly ReadinessCheck[];
}

/** AppOptions wires the routes of the webhook server. */
export interface AppOptions {
  mutate: AdmissionHandler;
  validate: AdmissionHandler;
  /** convert serves POST /convert when given (ConversionReview), on node's request and response. */
  convert?: RawEndpoint;
  /** ready tells /readyz whether to answer 200 (and, with ?verbose, each check's detail); default always ready. */
  ready?: () => Readiness;
  logger: Logger;
  /** metrics records webhook calls; default records nothing. */
  metrics?: WebhookMetrics;
  /** bodyLimit is the largest request body in bytes; default 7 MiB. */
  bodyLimit?: number;
  /** deadline says how to answer when the apiserver's ?timeout= would pass before evaluation ends; default deny. */
  deadline?: DeadlineOptions;
  /** clock measures the admission deadlines and latency; default monotonicClock. */
  clock?: Clock;
  /** large answers large admission reviews on a worker thread (large-reviews.ts); default none. */
  large?: LargeReviewOffload;
  /**
   * authenticate refuses /mutate and /validate callers (serve --client-ca).
   * Not /convert: the apiserver sends CRD conversion calls without client
   * credentials (apiextensions-apiserver's webhook converter resolves none).
   */
  authenticate?: ClientCheck;
  /** budget bounds the body bytes of the /mutate and /validate reviews in flight (give /convert's endpoint the same one); default none. */
  budget?: InflightBudget;
}

/**
 * createApp builds the request listener of the webhook server (no
 * listening: see https-server.ts). Routes: POST /mutate, POST /validate,
 * POST /convert, GET /healthz, GET /readyz. The three webhook routes are
 * dispatched first, straight to their endpoints on node's own request and
 * response (no router, no middleware, no body parser: each endpoint reads
 * its body once); express serves everything else (health, 404, 405).
 */
export function createApp(options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);
  const metrics = options.metrics ?? noopWebhookMetrics;
  const common = { logger: options.logger, metrics, bodyLimit: options.bodyLimit, deadline: options.deadline, clock: options.clock, large: options.large, authenticate: options.authenticate, budget: options.budget };
  const webhooks = new Map<string, RawEndpoint>([
    ['/mutate', createAdmissionEndpoint({ ...common, webhook: 'mutate', handler: options.mutate })],
    ['/validate', createAdmissionEndpoint({ ...common, webhook: 'validate', handler: options.validate })],
  ]);
  if (options.convert) webhooks.set('/convert', options.convert);
  // Paths the fast dispatch doesn't match exactly (a trailing slash, other case) still reach the endpoints through express.
  for (const [route, endpoint] of webhooks) app.post(route, (req, res) => endpoint(req, res));
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (req, res) => {
    const state = options.ready?.() ?? { ready: true };
    const summary = state.ready ? 'ok' : `not ready: ${state.reason ?? 'unknown'}`;
    // As the apiserver's own /readyz?verbose: one [+]/[-] line per check.
    const verbose = req.query['verbose'] !== undefined ? (state.checks ?? []).map((c) => `[${c.ok ? '+' : '-'}]${c.name} ${c.ok ? 'ok' : 'failed'}${c.detail ? ` ${c.detail}` : ''}\n`).join('') : '';
    res.status(state.ready ? 200 : 503).type('text/plain').send(verbose === '' ? summary : `${verbose}${summary}\n`);
  });
  const routes = new Set(['/mutate', '/validate', '/healthz', '/readyz', ...(options.convert ? ['/convert'] : [])]);
  app.use((req: Request, res: Response) => {
    if (routes.has(req.path)) res.status(405).json(statusBody(405, `method ${req.method} is not allowed on ${req.path}`));
    else res.status(404).json(statusBody(404, `no route ${req.path}`));
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    options.logger.error({ err: err.message }, 'unhandled error in request');
    if (!res.headersSent) res.status(500).json(statusBody(500, 'internal error'));
  });
  const onError = (res: ServerResponse, err: unknown) => {
    options.logger.error({ err: errorMessage(err) }, 'unhandled error in request');
    if (!res.headersSent) sendJson(res, 500, statusBody(500, 'internal error'));
    else res.destroy();
  };
  return (req, res) => {
    const endpoint = req.method === 'POST' ? webhooks.get(pathOf(req.url)) : undefined;
    if (endpoint === undefined) {
      app(req, res);
      return;
    }
    try {
      const done = endpoint(req, res);
      if (done instanceof Promise) done.catch((err: unknown) => onError(res, err));
    } catch (err) {
      onError(res, err);
    }
  };
}
