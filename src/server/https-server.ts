import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { RequestListener } from 'node:http';

/** HttpsServerOptions configures the TLS listener. */
export interface HttpsServerOptions {
  app: RequestListener;
  /** tls holds the PEM certificate and key (or a SNICallback for hot reload). */
  tls: SecureContextOptions & { SNICallback?: (servername: string, cb: (err: Error | null, ctx?: import('node:tls').SecureContext) => void) => void };
  host: string;
  port: number;
  /**
   * keepAliveTimeoutMs is how long an idle keep-alive connection stays open;
   * default 65 s, above the apiserver's idle timeout (Node's 5 s would close
   * connections under the apiserver and fail requests).
   */
  keepAliveTimeoutMs?: number;
  /** headersTimeoutMs default 66 s, above keepAliveTimeoutMs as Node requires. */
  headersTimeoutMs?: number;
  /** requestTimeoutMs bounds a whole request; default 90 s (Node requires it >= headersTimeoutMs). */
  requestTimeoutMs?: number;
}

/** HttpsListener is a started-on-demand HTTPS server. */
export interface HttpsListener {
  readonly server: Server;
  /** listen binds the port; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** close stops accepting, waits for requests in flight, and closes idle connections. */
  close(): Promise<void>;
}

/**
 * createHttpsListener prepares an HTTPS server: TLS 1.2 or newer, ALPN
 * http/1.1 only (as the apiserver offers), long keep-alive. Nothing binds
 * until listen().
 */
export function createHttpsListener(options: HttpsServerOptions): HttpsListener {
  const server = createServer(
    {
      ...options.tls,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
      headersTimeout: options.headersTimeoutMs ?? 66_000,
      requestTimeout: options.requestTimeoutMs ?? 90_000,
    },
    options.app,
  );
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = options.headersTimeoutMs ?? 66_000;
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
