/**
 * startE2E: one call that gives a test file a real control plane with Portcullis registered as
 * its admission webhook. See docs/testing.md for the API and examples.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinaries, type Binaries } from './binaries.js';
import { startControlPlane } from './control-plane.js';
import { installCrds, loadCrds, rulesFor, type Crd } from './crds.js';
import { createKubectl, mustSucceed, type Kubectl } from './kubectl.js';
import { freePort, waitFor } from './net.js';
import { createPortcullis } from './portcullis.js';
import { killAllSync, stopWatchdog } from './processes.js';
import {
  applyWebhookConfigurations,
  deleteWebhookConfigurations,
  pointConversionWebhook,
  type FailurePolicy,
  type WebhookRule,
} from './webhook-config.js';

/** REPO_ROOT is the checkout the harness belongs to. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** E2EOptions configures startE2E; every field has a default. */
export interface E2EOptions {
  /** webhooks registers the validating and mutating configurations (default true). */
  webhooks?: boolean;
  /** failurePolicy of both webhooks (default 'Fail'). */
  failurePolicy?: FailurePolicy;
  /** crds are the files or folders given to `serve --crds` (repeated) and installed in the cluster (default manifests/crds). */
  crds?: string | string[];
  /** policies is given to `serve --policies` (default policies/). */
  policies?: string;
  /** clusterSchemas: 'open' (default) installs schema-less CRD copies so Portcullis alone validates and defaults; 'as-is'. */
  clusterSchemas?: 'open' | 'as-is';
  /** rules overrides the webhook rules (default: CREATE/UPDATE/DELETE of every installed CRD's resource). */
  rules?: WebhookRule[];
  /** namespace is created for the test and set as kubectl's default (default 'e2e'). */
  namespace?: string;
  /** dnsName is passed as `serve --dns-name`. */
  dnsName?: string;
  /** serverArgs are appended to `serve`. */
  serverArgs?: string[];
  /** apiserverArgs are appended to kube-apiserver's flags (e.g. `--admission-control-config-file`). */
  apiserverArgs?: string[];
  /** log receives progress lines (default: stderr with a timestamp). */
  log?: (line: string) => void;
}

/** E2EEnv is a running environment; call stop() in an `after` hook. */
export interface E2EEnv {
  /** kubectl runs the harness kubectl against this cluster, namespace `namespace` by default. */
  kubectl: Kubectl;
  kubeconfigPath: string;
  apiserverUrl: string;
  namespace: string;
  binaries: Binaries;
  /** crds are the CRDs loaded from `options.crds` (full schemas, as Portcullis sees them). */
  crds: Crd[];
  serverPort: number;
  certDir: string;
  /** serverUrl returns `https://127.0.0.1:<serverPort><path>`. */
  serverUrl(path?: string): string;
  /** caBundle is the PEM CA of Portcullis's serving certificate. */
  caBundle(): string;
  /** webhookNames are the `webhooks[].name` values that appear in denial messages. */
  webhookNames: { validating: string; mutating: string };
  /** restartApiserver restarts kube-apiserver on the same port (etcd keeps the data). */
  restartApiserver(): Promise<void>;
  /** compactEtcd compacts etcd up to its current revision (watch expiry); resolves with that revision. */
  compactEtcd(): Promise<number>;
  /** stopWebhook stops the Portcullis process; the webhook configurations stay. */
  stopWebhook(): Promise<void>;
  /** startWebhook starts Portcullis again on the same port and certificate folder. */
  startWebhook(): Promise<void>;
  /** applyWebhooks (re-)applies both configurations, e.g. `{ failurePolicy: 'Ignore' }`. */
  applyWebhooks(overrides?: { failurePolicy?: FailurePolicy; rules?: WebhookRule[] }): Promise<void>;
  /** removeWebhooks deletes both configurations. */
  removeWebhooks(): Promise<void>;
  /** pointConversionWebhook sends the CRD's conversions to Portcullis's /convert. */
  pointConversionWebhook(crdName: string, reviewVersions?: string[]): Promise<void>;
  /** eventually retries `check` (which throws or returns false while not yet true); webhook config changes take ~1 s to apply. */
  eventually<T>(check: () => Promise<T | false>, what: string, timeoutMs?: number): Promise<T>;
  /** diagnostics returns the tails of the portcullis, etcd and kube-apiserver logs. */
  diagnostics(): string;
  /** stop ends every process and removes the temporary folder (kept when PORTCULLIS_E2E_KEEP=1). */
  stop(): Promise<void>;
}

function hasNamespaceFlag(args: string[]): boolean {
  return args.some((a) => a === '-n' || a.startsWith('--namespace') || a === '-A' || a === '--all-namespaces');
}

function defaultLog(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

/** startE2E starts etcd, kube-apiserver and Portcullis, installs the CRDs and registers the webhooks. */
export async function startE2E(options: E2EOptions = {}): Promise<E2EEnv> {
  const log = options.log ?? defaultLog;
  const t0 = Date.now();
  const binaries = await resolveBinaries({ log });
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    cleanup.length = 0;
    killAllSync();
    stopWatchdog();
    if (process.env.PORTCULLIS_E2E_KEEP === '1') log(`e2e: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    const controlPlane = await startControlPlane({ binaries, dir: join(dir, 'cluster'), log, extraApiserverArgs: options.apiserverArgs });
    cleanup.push(() => controlPlane.stop());
    const namespace = options.namespace ?? 'e2e';
    const baseKubectl = createKubectl({
      binary: binaries.kubectl,
      kubeconfigPath: controlPlane.kubeconfigPath,
      cacheDir: join(dir, 'kubectl-cache'),
    });
    const kubectl: Kubectl = (args, runOptions) =>
      baseKubectl(hasNamespaceFlag(args) ? args : [`--namespace=${namespace}`, ...args], runOptions);
    mustSucceed(await baseKubectl(['create', 'namespace', namespace]), `create namespace ${namespace}`);

    const crdPaths = [options.crds ?? 'manifests/crds'].flat().map((p) => resolve(REPO_ROOT, p));
    const crds = crdPaths.flatMap((p) => loadCrds(p));
    const certDir = join(dir, 'portcullis-certs');
    mkdirSync(certDir, { recursive: true });
    const server = createPortcullis({
      repoRoot: REPO_ROOT,
      main: process.env.PORTCULLIS_E2E_MAIN || undefined,
      port: await freePort(),
      certDir,
      crds: crdPaths,
      policies: resolve(REPO_ROOT, options.policies ?? 'policies'),
      dnsName: options.dnsName,
      extraArgs: options.serverArgs,
      log,
    });
    cleanup.push(() => server.stop());
    await server.start();
    const baseUrl = server.url('');
    await installCrds(kubectl, crds, {
      schemas: options.clusterSchemas ?? 'open',
      conversion: { baseUrl, caBundle: server.caBundle() },
    });
    const webhookNames = { validating: 'validate.portcullis.dev', mutating: 'mutate.portcullis.dev' };
    let current = { failurePolicy: options.failurePolicy ?? 'Fail', rules: options.rules ?? rulesFor(crds) };
    const applyWebhooks: E2EEnv['applyWebhooks'] = async (overrides = {}) => {
      current = { ...current, ...overrides };
      await applyWebhookConfigurations(kubectl, {
        baseUrl,
        caBundle: server.caBundle(),
        rules: current.rules,
        failurePolicy: current.failurePolicy,
        validatingName: webhookNames.validating,
        mutatingName: webhookNames.mutating,
      });
    };
    if ((options.webhooks ?? true) && current.rules.length > 0) await applyWebhooks();
    log(`e2e: environment ready in ${Date.now() - t0} ms (${dir})`);

    return {
      kubectl,
      kubeconfigPath: controlPlane.kubeconfigPath,
      apiserverUrl: controlPlane.apiserverUrl,
      namespace,
      binaries,
      crds,
      serverPort: server.port,
      certDir,
      serverUrl: (path = '') => server.url(path),
      caBundle: () => server.caBundle(),
      webhookNames,
      restartApiserver: () => controlPlane.restartApiserver(),
      compactEtcd: () => controlPlane.compactEtcd(),
      stopWebhook: () => server.stop(),
      startWebhook: () => server.start(),
      applyWebhooks,
      removeWebhooks: () => deleteWebhookConfigurations(kubectl),
      pointConversionWebhook: (crdName, reviewVersions) =>
        pointConversionWebhook(kubectl, crdName, { baseUrl, caBundle: server.caBundle(), reviewVersions }),
      async eventually<T>(check: () => Promise<T | false>, what: string, timeoutMs = 20_000): Promise<T> {
        let value: T | undefined;
        await waitFor(
          async () => {
            try {
              const r = await check();
              if (r === false) return 'not yet';
              value = r;
              return true;
            } catch (err) {
              return (err as Error).message;
            }
          },
          { what, timeoutMs, intervalMs: 300 },
        );
        return value as T;
      },
      diagnostics: () =>
        ['--- portcullis (tail) ---', ...server.logs().slice(-40), controlPlane.logs()].join('\n'),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
