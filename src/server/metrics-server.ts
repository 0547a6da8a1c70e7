import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { errorMessage } from '../kube/errors.js';

/** DEFAULT_METRICS_PORT is where metrics are served unless configured otherwise. */
export const DEFAULT_METRICS_PORT = 9090;

/** MetricsServerOptions configures createMetricsServer. */
export interface MetricsServerOptions {
  registry: Registry;
  /** host to bind; default 0.0.0.0 (use 127.0.0.1 to keep metrics on the pod). */
  host?: string;
  /** port to bind; default 9090; 0 picks a free port. */
  port?: number;
  logger: Logger;
  /**
   * probes lets a process report its health: /healthz answers 503 while
   * live() is false, and /readyz (only served when ready is given) 503 while
   * ready() is false. Default: /healthz always ok, no /readyz.
   */
  probes?: { live?: () => boolean; ready?: () => boolean };
}

/** MetricsServer serves GET /metrics in the Prometheus text format over plain HTTP. */
export interface MetricsServer {
  readonly server: Server;
  /** listen binds the port; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** close stops the server and drops its connections (scrapes are retried by Prometheus). */
  close(): Promise<void>;
}

/**
 * createMetricsServer prepares a plain-HTTP metrics endpoint, separate from
 * the TLS webhook port so that a scraper needs no webhook certificate and the
 * webhook port serves nothing but the apiserver. Routes: GET /metrics (the
 * registry), GET /healthz, and GET /readyz when given a readiness probe.
 * Nothing binds until listen().
 */
export function createMetricsServer(options: MetricsServerOptions): MetricsServer {
  const { registry, logger } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    const probe = path === '/healthz' ? (options.probes?.live ?? (() => true)) : path === '/readyz' ? options.probes?.ready : undefined;
    if (probe) {
      const ok = probe();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : `${path === '/healthz' ? 'unhealthy' : 'not ready'}\n`);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'collecting metrics failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? DEFAULT_METRICS_PORT, options.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
