/**
 * The Portcullis server under test, run as the real CLI (`node dist/main.js serve ...`) in a child
 * process on 127.0.0.1. It keeps its port and certificate folder across stop()/start(), so webhook
 * configurations that point at it stay valid while it is down.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeProbe, probe, waitFor } from './net.js';
import { spawnManaged, type ManagedProcess } from './processes.js';

/** PortcullisOptions configures createPortcullis. */
export interface PortcullisOptions {
  /** repoRoot is the checkout; the server runs `<repoRoot>/dist/main.js`. */
  repoRoot: string;
  /** main overrides the entry point (default `<repoRoot>/dist/main.js`; env PORTCULLIS_E2E_MAIN). */
  main?: string;
  /** port is the fixed port to listen on. */
  port: number;
  /** certDir is where the server generates (first start) and reads its certificates. */
  certDir: string;
  /** crds are passed as --crds (once per path). */
  crds: string[];
  /** policies is passed as --policies. */
  policies: string;
  /** dnsName is passed as --dns-name when set. */
  dnsName?: string;
  /** extraArgs are appended to the serve command. */
  extraArgs?: string[];
  /** log receives progress lines. */
  log: (line: string) => void;
  /** startTimeoutMs bounds start() (default 30000). */
  startTimeoutMs?: number;
}

/** PortcullisServer controls one Portcullis child process. */
export interface PortcullisServer {
  readonly port: number;
  readonly certDir: string;
  /** url returns `https://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** caBundle returns the PEM of `<certDir>/ca.crt` (throws before the first start). */
  caBundle(): string;
  /** start launches the server and resolves once GET /healthz answers 200 over TLS. */
  start(): Promise<void>;
  /** stop ends the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** running is true between start() and stop() (or an unexpected exit). */
  running(): boolean;
  /** logs returns the last lines the server wrote, across restarts. */
  logs(): string[];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** createPortcullis prepares (but does not start) the server under test. */
export function createPortcullis(options: PortcullisOptions): PortcullisServer {
  const main = options.main ?? join(options.repoRoot, 'dist', 'main.js');
  let proc: ManagedProcess | undefined;
  let exit: number | string | undefined;
  const history: string[] = [];
  const url = (path: string) => `https://127.0.0.1:${options.port}${path}`;
  const caPath = join(options.certDir, 'ca.crt');
  return {
    port: options.port,
    certDir: options.certDir,
    url,
    caBundle: () => readFileSync(caPath, 'utf8'),
    running: () => proc !== undefined && exit === undefined,
    logs: () => [...history, ...(proc?.output() ?? [])].slice(-300),
    async start() {
      if (proc !== undefined && exit === undefined) return;
      if (!existsSync(main)) throw new Error(`e2e: ${main} is missing: run \`npm run build\` first`);
      const src = join(options.repoRoot, 'src');
      if (options.main === undefined && existsSync(src) && newestMtime(src) > statSync(main).mtimeMs) {
        options.log('e2e: warning: dist/ is older than src/; run `npm run build` to test the current code');
      }
      if (proc !== undefined) history.push(...proc.output());
      const args = [main, 'serve', '--host', '127.0.0.1', '--port', String(options.port)];
      args.push('--cert-dir', options.certDir, '--policies', options.policies);
      for (const crds of options.crds) args.push('--crds', crds);
      if (options.dnsName !== undefined) args.push('--dns-name', options.dnsName);
      args.push(...(options.extraArgs ?? []));
      const t0 = Date.now();
      exit = undefined;
      const current = spawnManaged({ name: 'portcullis', command: process.execPath, args, cwd: options.repoRoot });
      proc = current;
      void current.exited.then((code) => {
        if (proc === current) exit = code;
      });
      await waitFor(
        async () => {
          if (!existsSync(caPath)) return `${caPath} not written yet`;
          const r = await probe(url('/healthz'), { ca: readFileSync(caPath) });
          return 'status' in r && r.status === 200 ? true : describeProbe(r);
        },
        {
          what: `portcullis /healthz on port ${options.port}`,
          timeoutMs: options.startTimeoutMs ?? 30_000,
          abort: () =>
            exit === undefined ? undefined : `portcullis exited (${exit}):\n${current.output().slice(-30).join('\n')}`,
        },
      );
      options.log(`e2e: portcullis ready on ${url('')} after ${Date.now() - t0} ms`);
    },
    async stop() {
      await proc?.stop();
    },
  };
}
