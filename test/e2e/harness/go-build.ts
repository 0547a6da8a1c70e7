/**
 * Building the control-plane binaries from the pinned Go module (test/e2e/control-plane).
 *
 * The build goes into a temporary folder next to the cache and is renamed into place binary by
 * binary, so a reader never sees a half-written executable. A lock folder (`<cache>.lock`, holding
 * the builder's pid) keeps two test runs from building at once; a lock whose pid is gone is stale.
 * Progress (`go build -v` prints each package it compiles) is reported every 15 s.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** BuildTarget names a binary the control-plane module can build. */
export type BuildTarget = 'kube-apiserver' | 'kubectl' | 'etcd';

const PACKAGES: Record<BuildTarget, string> = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  etcd: './etcd',
};

/** versionLdflags stamps the Kubernetes version into the binaries, as the Kubernetes release build does. */
export function versionLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const flags: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`);
    flags.push(`-X ${pkg}.gitTreeState=clean`);
  }
  return flags.join(' ');
}

/** BuildOptions configures buildControlPlane. */
export interface BuildOptions {
  /** outDir is the cache folder the binaries end up in. */
  outDir: string;
  /** moduleDir is the Go module folder (test/e2e/control-plane). */
  moduleDir: string;
  /** targets are the binaries to build. */
  targets: BuildTarget[];
  /** version is the Kubernetes version stamped into the binaries, e.g. `v1.37.2`. */
  version: string;
  /** log receives progress lines. */
  log: (line: string) => void;
  /** progressEveryMs is the interval of progress lines (default 15000). */
  progressEveryMs?: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function acquireLock(lockDir: string, log: (line: string) => void): Promise<() => void> {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // The owner has not written its pid yet.
    }
    if (Number.isInteger(owner) && !pidAlive(owner)) {
      log(`e2e: removing stale build lock ${lockDir} (pid ${owner} is gone)`);
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`e2e: another process (pid ${owner}) is building the control plane; waiting for it`);
    announced = true;
    await sleep(2000);
  }
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

async function countPackages(moduleDir: string, packages: string[]): Promise<number | undefined> {
  try {
    const { stdout } = await run('go', ['list', '-deps', ...packages], {
      cwd: moduleDir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    return stdout.split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return undefined;
  }
}

/** buildControlPlane runs `go build` for the targets into outDir, unless another run already did. */
export async function buildControlPlane(options: BuildOptions): Promise<void> {
  const { outDir, moduleDir, log } = options;
  mkdirSync(dirname(outDir), { recursive: true });
  const release = await acquireLock(`${outDir}.lock`, log);
  try {
    const targets = options.targets.filter((t) => !existsSync(join(outDir, t)));
    if (targets.length === 0) return;
    const packages = targets.map((t) => PACKAGES[t]);
    const tmp = `${outDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    mkdirSync(outDir, { recursive: true });
    const started = Date.now();
    log(`e2e: building ${targets.join(', ')} from ${moduleDir} into ${outDir} (first run: several minutes)`);
    log('e2e: listing packages (go list -deps; downloads the modules on first use)');
    const total = await countPackages(moduleDir, packages);
    const args = ['build', '-v', '-ldflags', versionLdflags(options.version), '-o', `${tmp}/`, ...packages];
    log(`e2e: go ${args.join(' ')}`);
    let compiled = 0;
    const tail: string[] = [];
    const child = spawn('go', args, { cwd: moduleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        // `go build -v` prints one import path per compiled package; anything else is an error.
        if (/^[\w.\-/]+$/.test(line.trim())) compiled++;
        tail.push(line);
        if (tail.length > 50) tail.shift();
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    const progress = setInterval(() => {
      const of = total === undefined ? '' : `/${total}`;
      log(`e2e: go build: ${compiled}${of} packages compiled, ${formatElapsed(Date.now() - started)}`);
    }, options.progressEveryMs ?? 15_000);
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    clearInterval(progress);
    if (code !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`e2e: go build failed (exit ${code}):\n${tail.join('\n')}`);
    }
    for (const target of targets) renameSync(join(tmp, target), join(outDir, target));
    rmSync(tmp, { recursive: true, force: true });
    log(`e2e: built ${targets.join(', ')} in ${formatElapsed(Date.now() - started)} (${compiled} packages compiled)`);
  } finally {
    release();
  }
}
