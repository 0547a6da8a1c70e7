/**
 * Small network helpers of the end-to-end harness: free loopback ports, HTTP(S) probes and polling.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** freePort returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** ProbeOptions configures probe. */
export interface ProbeOptions {
  /** ca is the PEM bundle that must have signed an https server's certificate. */
  ca?: string | Buffer;
  /** token is sent as a bearer token. */
  token?: string;
  /** timeoutMs bounds the request (default 3000). */
  timeoutMs?: number;
}

/** ProbeResult is the status and body of one GET, or the error message when it failed. */
export type ProbeResult = { status: number; body: string } | { error: string };

/** probe GETs a URL once and never throws. */
export function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const common = { method: 'GET', headers, timeout: options.timeoutMs ?? 3000 };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.length + body.length > 65536 ? '' : c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { ...common, ca: options.ca, servername: u.hostname === '127.0.0.1' ? undefined : u.hostname }, onResponse)
        : httpRequest(u, common, onResponse);
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

/** WaitOptions configures waitFor. */
export interface WaitOptions {
  /** what names the awaited condition in the timeout error. */
  what: string;
  /** timeoutMs is the overall limit (default 60000). */
  timeoutMs?: number;
  /** intervalMs is the pause between attempts (default 250). */
  intervalMs?: number;
  /** abort, when it returns a string, stops waiting with that string as the error (e.g. the process exited). */
  abort?: () => string | undefined;
}

/** waitFor polls `check` until it returns true; it throws with the last detail after the timeout. */
export async function waitFor(check: () => Promise<true | string>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = 'not tried';
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw new Error(`e2e: ${options.what}: ${aborted}`);
    const result = await check();
    if (result === true) return;
    last = result;
    if (Date.now() > deadline) throw new Error(`e2e: timed out waiting for ${options.what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** describeProbe turns a probe result into a short text for waitFor. */
export function describeProbe(result: ProbeResult): string {
  return 'error' in result ? result.error : `HTTP ${result.status} ${result.body.slice(0, 200)}`;
}
