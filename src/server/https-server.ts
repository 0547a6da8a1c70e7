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
  /** keepAliveTimeoutMs is how long an idle keep-alive connection stays open; default DEFAULT_KEEP_ALIVE_TIMEOUT_MS (120 s). */
  keepAliveTimeoutMs?: number;
  /**
   * headersTimeoutMs bounds receiving a request's headers, from its first
   * byte (Node 18+ does not count the idle time of a keep-alive connection,
   * so it need not exceed keepAliveTimeoutMs); default 66 s.
   */
  headersTimeoutMs?: number;
  /** requestTimeoutMs bounds a whole request; default 90 s (Node requires it >= headersTimeoutMs). */
  requestTimeoutMs?: number;
  /**
   * requestClientCertificate asks every client for a certificate, verified
   * against the `ca` of the TLS options, without failing the handshake when
   * there is none or it doesn't verify (health probes have none): the app
   * refuses such webhook calls (client-auth.ts). Default false.
   */
  requestClientCertificate?: boolean;
}

/**
 * DEFAULT_KEEP_ALIVE_TIMEOUT_MS is 120 s. The apiserver's webhook client
 * keeps an idle connection for 90 s (Go's http.Transport IdleConnTimeout,
 * set by apimachinery's SetTransportDefaults) and does not retry a POST
 * whose bytes it has sent; a server that closes idle connections first lets
 * a request land on a connection being closed and fail with EOF. So the
 * server must outlast the client: above 90 s, with a margin for a request
 * already on the wire. (The 65 s used before was below it.)
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 120_000;

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
 * http/1.1 only (as the apiserver offers), a keep-alive that outlasts the
 * apiserver's idle connections. Nothing binds
 * until listen().
 */
export function createHttpsListener(options: HttpsServerOptions): HttpsListener {
  const server = createServer(
    {
      ...options.tls,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
      ...(options.requestClientCertificate ? { requestCert: true, rejectUnauthorized: false } : {}),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: options.headersTimeoutMs ?? 66_000,
      requestTimeout: options.requestTimeoutMs ?? 90_000,
    },
    options.app,
  );
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
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
