/**
 * Where the end-to-end suite gets etcd, kube-apiserver and kubectl.
 *
 * Order: `KUBEBUILDER_ASSETS` (the envtest convention: a folder with `etcd`, `kube-apiserver` and
 * usually `kubectl`), then the build cache `${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/kube/<version>/`,
 * then a `go build` of test/e2e/control-plane into that cache (minutes, with progress on stderr).
 * kubectl comes from the same folder, else from PATH when within one minor of the apiserver, else
 * it is built from the same module.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildControlPlane, type BuildTarget } from './go-build.js';

const run = promisify(execFile);

/** KUBE_VERSION is the Kubernetes release pinned in test/e2e/control-plane/go.mod. */
export const KUBE_VERSION = 'v1.37.2';

/** CONTROL_PLANE_MODULE is the folder of the Go module that builds the binaries. */
export const CONTROL_PLANE_MODULE = resolve(fileURLToPath(new URL('../control-plane/', import.meta.url)));

/** Binaries are the absolute paths of the control-plane executables and where they came from. */
export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  /** source says where etcd and kube-apiserver were found. */
  source: 'KUBEBUILDER_ASSETS' | 'cache' | 'built';
  /** apiserverVersion is what `kube-apiserver --version` printed, e.g. `v1.37.2`. */
  apiserverVersion: string;
}

/** Availability says whether the suite can run here; `reason` explains a `false`. */
export type Availability = { ok: true; how: string } | { ok: false; reason: string };

/** cacheDir returns the folder the pinned binaries are built into. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'portcullis', 'kube', KUBE_VERSION);
}

function isExecutable(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function assetsDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.KUBEBUILDER_ASSETS;
  if (dir === undefined || dir === '') return undefined;
  return isExecutable(join(dir, 'etcd')) && isExecutable(join(dir, 'kube-apiserver')) ? dir : undefined;
}

function cacheComplete(dir: string): boolean {
  return ['etcd', 'kube-apiserver', 'kubectl'].every((b) => isExecutable(join(dir, b)));
}

async function hasGo(): Promise<boolean> {
  try {
    await run('go', ['version'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** checkAvailability tells, without building anything, whether the control plane can be had. */
export async function checkAvailability(env: NodeJS.ProcessEnv = process.env): Promise<Availability> {
  if (assetsDir(env) !== undefined) return { ok: true, how: `KUBEBUILDER_ASSETS=${env.KUBEBUILDER_ASSETS}` };
  if (cacheComplete(cacheDir(env))) return { ok: true, how: `cached binaries in ${cacheDir(env)}` };
  if (await hasGo()) return { ok: true, how: `go build into ${cacheDir(env)}` };
  const assets = env.KUBEBUILDER_ASSETS;
  const why = assets
    ? `KUBEBUILDER_ASSETS=${assets} has no etcd and kube-apiserver`
    : 'KUBEBUILDER_ASSETS is not set';
  return { ok: false, reason: `${why}, ${cacheDir(env)} is empty and go is not on PATH` };
}

/** versionOf runs `<binary> --version` and returns the first vX.Y.Z it prints. */
async function versionOf(binary: string, args: string[]): Promise<string> {
  const { stdout } = await run(binary, args, { timeout: 30_000 });
  const m = /v?(\d+\.\d+\.\d+)/.exec(stdout);
  if (!m) throw new Error(`e2e: cannot read the version of ${binary} from ${JSON.stringify(stdout.slice(0, 200))}`);
  return `v${m[1]}`;
}

function minorOf(version: string): number {
  return Number(version.split('.')[1]);
}

async function kubectlOnPathNear(apiserverVersion: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('kubectl', ['version', '--client', '-o', 'json'], { timeout: 20_000 });
    const client = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion;
    const version = client?.gitVersion;
    if (!version) return undefined;
    if (Math.abs(minorOf(version) - minorOf(apiserverVersion)) > 1) return undefined;
    const { stdout: where } = await run('sh', ['-c', 'command -v kubectl']);
    return where.trim();
  } catch {
    return undefined;
  }
}

/** ResolveOptions configures resolveBinaries. */
export interface ResolveOptions {
  /** env is read for KUBEBUILDER_ASSETS and XDG_CACHE_HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** log receives progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** resolveBinaries finds or builds etcd, kube-apiserver and kubectl and checks that they run. */
export async function resolveBinaries(options: ResolveOptions = {}): Promise<Binaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = cacheDir(env);
  const assets = assetsDir(env);
  let dir: string;
  let source: Binaries['source'];
  if (assets !== undefined) {
    dir = assets;
    source = 'KUBEBUILDER_ASSETS';
  } else if (cacheComplete(cache)) {
    dir = cache;
    source = 'cache';
  } else {
    await buildControlPlane({ outDir: cache, moduleDir: CONTROL_PLANE_MODULE, targets: ['kube-apiserver', 'etcd', 'kubectl'], version: KUBE_VERSION, log });
    dir = cache;
    source = 'built';
  }
  const kubeApiserver = join(dir, 'kube-apiserver');
  const etcd = join(dir, 'etcd');
  let apiserverVersion = await versionOf(kubeApiserver, ['--version']);
  // A plain `go build` without -ldflags reports v0.0.0-master; binaries from our cache are KUBE_VERSION.
  if (apiserverVersion === 'v0.0.0' && source !== 'KUBEBUILDER_ASSETS') apiserverVersion = KUBE_VERSION;
  await versionOf(etcd, ['--version']);
  let kubectl: string | undefined = isExecutable(join(dir, 'kubectl')) ? join(dir, 'kubectl') : undefined;
  kubectl ??= await kubectlOnPathNear(apiserverVersion);
  if (kubectl === undefined) {
    if (!isExecutable(join(cache, 'kubectl'))) {
      const targets: BuildTarget[] = ['kubectl'];
      await buildControlPlane({ outDir: cache, moduleDir: CONTROL_PLANE_MODULE, targets, version: KUBE_VERSION, log });
    }
    kubectl = join(cache, 'kubectl');
  }
  if (!existsSync(kubectl)) throw new Error(`e2e: kubectl not found at ${kubectl}`);
  return { etcd, kubeApiserver, kubectl, source, apiserverVersion };
}
