import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AdmissionHandler } from '../admission/handlers.js';
import { createAdmissionEndpoint } from './admission-endpoint.js';
import type { DeadlineOptions } from './deadline.js';
import { statusBody } from './error-status.js';
import { noopWebhookMetrics } from './webhook-metrics.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** AppOptions wires the routes of the webhook server. */
export interface AppOptions {
  mutate: AdmissionHandler;
  validate: AdmissionHandler;
  /** convert serves POST /convert when given (ConversionReview). */
  convert?: RequestHandler;
  /** ready tells /readyz whether to answer 200; default always ready. */
  ready?: () => { ready: boolean; reason?: string };
  logger: Logger;
  /** metrics records webhook calls; default records nothing. */
  metrics?: WebhookMetrics;
  /** bodyLimit is the largest request body in bytes; default 7 MiB. */
  bodyLimit?: number;
  /** deadline says how to answer when the apiserver's ?timeout= would pass before evaluation ends; default deny. */
  deadline?: DeadlineOptions;
}

/**
 * createApp builds the express application (no listening: see
 * https-server.ts). Routes: POST /mutate, POST /validate, POST /convert,
 * GET /healthz, GET /readyz. No body-parsing middleware runs: each endpoint
 * reads its body once, so nothing sits on the hot path but the route.
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);
  const metrics = options.metrics ?? noopWebhookMetrics;
  const common = { logger: options.logger, metrics, bodyLimit: options.bodyLimit, deadline: options.deadline };
  app.post('/mutate', createAdmissionEndpoint({ ...common, webhook: 'mutate', handler: options.mutate }));
  app.post('/validate', createAdmissionEndpoint({ ...common, webhook: 'validate', handler: options.validate }));
  if (options.convert) app.post('/convert', options.convert);
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const state = options.ready?.() ?? { ready: true };
    res.status(state.ready ? 200 : 503).type('text/plain').send(state.ready ? 'ok' : `not ready: ${state.reason ?? 'unknown'}`);
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
  return app;
}
