/**
 * Helpers for the controller's end-to-end files: the controller's RBAC and a kubeconfig that
 * impersonates its ServiceAccount (so a missing permission fails the suite), `portcullis
 * controller` processes with short lease settings, their metrics, and a small HTTPS client for
 * the admin user (hundreds of writes without a kubectl process each).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, type E2EEnv } from './harness/index.js';
import { freePort } from './harness/net.js';
import { spawnManaged, type ManagedProcess } from './harness/processes.js';

/** CONTROLLER_SA is the ServiceAccount the controller processes impersonate. */
export const CONTROLLER_SA = 'system:serviceaccount:portcullis-system:portcullis-controller';

/** LeaseTimings are the leader-election flags, in milliseconds. */
export interface LeaseTimings {
  duration: number;
  renewDeadline: number;
  retry: number;
}

/** ControllerProc is one running `portcullis controller`. */
export interface ControllerProc {
  proc: ManagedProcess;
  identity: string;
  metricsPort: number;
  /** relists are every "watch ended, relisting" line it printed (kept whole, unlike the output tail). */
  relists: string[];
  /** terms counts its "became leader" lines. */
  terms: () => number;
}

/** installControllerAccess creates portcullis-system, applies manifests/rbac and returns an impersonating kubeconfig path. */
export async function installControllerAccess(env: E2EEnv): Promise<string> {
  const ns = await env.kubectl(['create', 'namespace', 'portcullis-system']);
  assert.equal(ns.code, 0, ns.stderr);
  const rbac = await env.kubectl(['apply', '-n', 'portcullis-system', '-f', join(REPO_ROOT, 'manifests/rbac')]);
  assert.equal(rbac.code, 0, rbac.stderr);
  const config = parse(await readFile(env.kubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
  for (const u of config.users) u.user.as = CONTROLLER_SA;
  const path = `${env.kubeconfigPath}.controller`;
  await writeFile(path, stringify(config));
  return path;
}

/** startControllerProcess runs dist/main.js controller with the given identity, lease timings and extra flags. */
export async function startControllerProcess(opts: {
  kubeconfig: string;
  identity: string;
  lease: LeaseTimings;
  bindingsDir?: string;
  extraArgs?: string[];
}): Promise<ControllerProc> {
  const metricsPort = await freePort();
  const relists: string[] = [];
  let terms = 0;
  const proc = spawnManaged({
    onLine: (line) => {
      if (line.includes('watch ended, relisting')) relists.push(line);
      if (line.includes('"msg":"became leader"')) terms++;
    },
    name: `controller-${opts.identity}`,
    command: process.execPath,
    cwd: REPO_ROOT,
    args: [
      process.env.PORTCULLIS_E2E_MAIN ?? join(REPO_ROOT, 'dist/main.js'),
      'controller',
      '--kubeconfig', opts.kubeconfig,
      '--bindings', opts.bindingsDir ?? 'policies/bindings',
      '--identity', opts.identity,
      '--leader-elect-lease-duration', `${opts.lease.duration}ms`,
      '--leader-elect-renew-deadline', `${opts.lease.renewDeadline}ms`,
      '--leader-elect-retry-period', `${opts.lease.retry}ms`,
      '--metrics-bind-address', `127.0.0.1:${metricsPort}`,
      ...(opts.extraArgs ?? []),
    ],
  });
  return { proc, identity: opts.identity, metricsPort, relists, terms: () => terms };
}

/** counterSum adds up the samples of a counter on the process's /metrics whose labels satisfy keep. */
export async function counterSum(c: ControllerProc, metric: string, keep: (labels: Record<string, string>) => boolean = () => true): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${metric}\\{([^}]*)\\} (\\d+(?:\\.\\d+)?)$`).exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (keep(labels)) sum += Number(m[2]);
  }
  return sum;
}

/** apiWrites is the process's API writes, lease renewals left out. */
export const apiWrites = (c: ControllerProc): Promise<number> =>
  counterSum(c, 'portcullis_controller_api_writes_total', (l) => l.resource !== 'leases');

/** AdminApi sends requests as the harness's admin user. */
export interface AdminApi {
  /** call answers with the HTTP status and the decoded body. */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }>;
}

/** createAdminApi reads the admin kubeconfig (server, CA, token) of env. */
export async function createAdminApi(env: E2EEnv): Promise<AdminApi> {
  const config = parse(await readFile(env.kubeconfigPath, 'utf8')) as Record<string, any>;
  const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const token = String(config.users[0].user.token);
  const base = new URL(env.apiserverUrl);
  return {
    call: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path,
            method,
            ca,
            headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': contentType } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString();
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
  };
}

/** inBatches runs fn over items with at most `parallel` calls in flight. */
export async function inBatches<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
