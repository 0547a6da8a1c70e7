import { createPrivateKey, X509Certificate } from 'node:crypto';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions, Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { realClock } from '../kube/clock.js';
import type { Clock } from '../kube/clock.js';
import { errorMessage, PortcullisError } from '../kube/errors.js';

/** CertificateError means the certificate files can't be served (unreadable, unparsable, or key and certificate don't match). */
export class CertificateError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_CERTIFICATE', message, options);
  }
}

/** TlsReloaderOptions configures createTlsReloader. */
export interface TlsReloaderOptions {
  /** certDir holds the certificate and key (e.g. a mounted kubernetes.io/tls Secret). */
  certDir: string;
  /** certFile default tls.crt; keyFile default tls.key (names inside certDir). */
  certFile?: string;
  keyFile?: string;
  /** clientCaFile is a PEM bundle of the CAs whose client certificates are verified (serve --client-ca), re-read with the pair; default none. */
  clientCaFile?: string;
  /** intervalMs is the periodic re-read, which catches what the watch misses; default 60 s. */
  intervalMs?: number;
  /** debounceMs waits for a burst of file events to settle before re-reading; default 100 ms. */
  debounceMs?: number;
  /** retryMs re-reads soon after a read failed (e.g. key written before certificate); default 1 s. */
  retryMs?: number;
  /** watch enables the folder watch (default true); the periodic re-read always runs. */
  watch?: boolean;
  /** clock runs the re-read timers and tells expiry (wall time); default realClock. */
  clock?: Clock;
  logger: Logger;
  /** onLoaded is called with the notAfter date each time a new certificate is served (metrics). */
  onLoaded?: (notAfter: Date) => void;
  /** onError is called when a re-read fails (metrics); the previous certificate stays in use. */
  onError?: (err: Error) => void;
}

/** LoadedCertificate describes the certificate being served. */
export interface LoadedCertificate {
  notAfter: Date;
  notBefore: Date;
  subjectAltName: string;
  fingerprint256: string;
}

/** TlsReloader keeps a TLS server's certificate in step with files on disk. */
export interface TlsReloader {
  /** start loads the files (throws CertificateError when they can't be served), then watches and re-reads them. */
  start(): Promise<void>;
  /** stop ends the watch and the timers. */
  stop(): void;
  /** reload re-reads the files now; resolves true when the served certificate changed. Never throws. */
  reload(): Promise<boolean>;
  /** tlsOptions are the options to create the server with: current cert/key and an SNICallback serving the latest. */
  tlsOptions(): SecureContextOptions & { SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void };
  /** attach makes `server` switch its default context on every change (clients that send no SNI, e.g. to an IP address). */
  attach(server: TlsServer): void;
  /** current describes the certificate being served (undefined before start). */
  current(): LoadedCertificate | undefined;
  /** readiness is false once the served certificate has expired, or before start. */
  readiness(): { ready: boolean; reason?: string };
}

// The options every context gets; the server itself sets ALPN.
const CONTEXT_DEFAULTS: SecureContextOptions = { minVersion: 'TLSv1.2' };

// A context serves the pair and, with --client-ca, verifies client certificates against that bundle only.
const contextOptions = (pair: { cert: string; key: string; ca?: string }): SecureContextOptions => ({ ...CONTEXT_DEFAULTS, cert: pair.cert, key: pair.key, ...(pair.ca === undefined ? {} : { ca: pair.ca }) });

interface State {
  cert: string;
  key: string;
  ca?: string;
  context: SecureContext;
  info: LoadedCertificate;
}

/**
 * createTlsReloader watches a certificate folder. A Secret volume updates by
 * swapping a `..data` symlink, so the folder (not the files) is watched, and
 * a periodic re-read backs the watch up. A new pair is only served once the
 * certificate parses and matches the key: a half-written update keeps the old
 * pair and is retried. New handshakes use the new context (SNICallback, and
 * setSecureContext for clients without SNI); open connections are unaffected,
 * so no request fails.
 */
export function createTlsReloader(options: TlsReloaderOptions): TlsReloader {
  const certPath = path.join(options.certDir, options.certFile ?? 'tls.crt');
  const keyPath = path.join(options.certDir, options.keyFile ?? 'tls.key');
  const clock = options.clock ?? realClock;
  const { logger } = options;
  const servers: TlsServer[] = [];
  let state: State | undefined;
  let watcher: FSWatcher | undefined;
  let interval: unknown;
  let pending: unknown;
  let reading: Promise<boolean> | undefined;
  let stopped = false;

  const load = async (): Promise<State> => {
    let cert: string;
    let key: string;
    let ca: string | undefined;
    try {
      [cert, key, ca] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8'), options.clientCaFile === undefined ? undefined : readFile(options.clientCaFile, 'utf8')]);
    } catch (err) {
      throw new CertificateError(`cannot read ${[certPath, keyPath, options.clientCaFile].filter(Boolean).join(', ')}: ${errorMessage(err)}`, { cause: err });
    }
    if (state && state.cert === cert && state.key === key && state.ca === ca) return state;
    if (ca !== undefined && !/-----BEGIN CERTIFICATE-----/.test(ca)) throw new CertificateError(`cannot use ${options.clientCaFile} as --client-ca: no PEM certificate in it`);
    try {
      const x509 = new X509Certificate(cert);
      if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not match the certificate');
      const context = createSecureContext(contextOptions({ cert, key, ca }));
      const info = {
        notAfter: new Date(x509.validTo),
        notBefore: new Date(x509.validFrom),
        subjectAltName: x509.subjectAltName ?? '',
        fingerprint256: x509.fingerprint256,
      };
      return { cert, key, ca, context, info };
    } catch (err) {
      throw new CertificateError(`cannot serve ${certPath}: ${errorMessage(err)}`, { cause: err });
    }
  };

  const install = (next: State): boolean => {
    if (next === state) return false;
    const previous = state;
    state = next;
    for (const server of servers) server.setSecureContext(contextOptions(next));
    options.onLoaded?.(next.info.notAfter);
    if (previous) {
      logger.info({ certDir: options.certDir, notAfter: next.info.notAfter.toISOString(), fingerprint256: next.info.fingerprint256 }, 'serving a new certificate');
    }
    return true;
  };

  const reload = (): Promise<boolean> => {
    // One read at a time; a burst of events shares it.
    reading ??= load()
      .then(install, (err: Error) => {
        logger.warn({ certDir: options.certDir, err: err.message }, 'certificate reload failed; still serving the previous certificate');
        options.onError?.(err);
        schedule(options.retryMs ?? 1000);
        return false;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    if (pending !== undefined) clock.clearTimeout(pending);
    pending = clock.setTimeout(() => {
      pending = undefined;
      void reload();
    }, delayMs);
  };

  const intervalMs = options.intervalMs ?? 60_000;
  const tick = (): void => {
    interval = clock.setTimeout(() => {
      if (stopped) return;
      void reload().finally(tick);
    }, intervalMs);
  };

  return {
    async start() {
      stopped = false;
      install(await load());
      if (options.watch ?? true) {
        try {
          watcher = watch(options.certDir, { persistent: false }, () => schedule(options.debounceMs ?? 100));
          watcher.on('error', (err) => {
            logger.warn({ certDir: options.certDir, err: err.message }, 'certificate folder watch failed; relying on the periodic re-read');
            watcher?.close();
            watcher = undefined;
          });
        } catch (err) {
          logger.warn({ certDir: options.certDir, err: errorMessage(err) }, 'cannot watch the certificate folder; relying on the periodic re-read');
        }
      }
      tick();
    },
    stop() {
      stopped = true;
      watcher?.close();
      watcher = undefined;
      if (interval !== undefined) clock.clearTimeout(interval);
      if (pending !== undefined) clock.clearTimeout(pending);
      interval = pending = undefined;
    },
    reload,
    tlsOptions() {
      if (!state) throw new CertificateError('tlsOptions: call start() first');
      return {
        ...contextOptions(state),
        SNICallback: (_servername, cb) => cb(null, state?.context),
      };
    },
    attach(server) {
      servers.push(server);
      if (state) server.setSecureContext(contextOptions(state));
    },
    current: () => state?.info,
    readiness() {
      if (!state) return { ready: false, reason: 'no certificate loaded' };
      if (clock.now() >= state.info.notAfter.getTime()) return { ready: false, reason: `serving certificate expired at ${state.info.notAfter.toISOString()}` };
      return { ready: true };
    },
  };
}
