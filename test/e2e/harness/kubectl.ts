/**
 * A kubectl wrapper for end-to-end tests: runs the harness's kubectl against the harness's
 * kubeconfig (never the user's ~/.kube/config) and returns exit code, stdout and stderr.
 */
import { spawn } from 'node:child_process';

/** KubectlResult is what one kubectl run produced. `code` is null when it was killed. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** KubectlRunOptions are per-call options. */
export interface KubectlRunOptions {
  /** input is written to kubectl's stdin (use `-f -`); objects are serialized as JSON. */
  input?: string | object;
  /** as impersonates a user (`--as`); the admin is in system:masters, so it may. */
  as?: string;
  /** asGroups impersonates groups (`--as-group`, repeated). */
  asGroups?: string[];
  /** timeoutMs kills kubectl after this long (default 60000). */
  timeoutMs?: number;
}

/** Kubectl runs one kubectl command, e.g. `await kubectl(['get', 'widgets', '-o', 'json'])`. */
export type Kubectl = (args: string[], options?: KubectlRunOptions) => Promise<KubectlResult>;

/** KubectlOptions configures createKubectl. */
export interface KubectlOptions {
  /** binary is the kubectl executable. */
  binary: string;
  /** kubeconfigPath is passed as --kubeconfig. */
  kubeconfigPath: string;
  /** cacheDir is kubectl's discovery cache folder (a temp folder; keeps ~/.kube untouched). */
  cacheDir: string;
}

/** createKubectl returns a Kubectl bound to one kubeconfig. It never throws on a non-zero exit. */
export function createKubectl(options: KubectlOptions): Kubectl {
  return (args, runOptions = {}) =>
    new Promise((resolve, reject) => {
      const full = [`--kubeconfig=${options.kubeconfigPath}`, `--cache-dir=${options.cacheDir}`];
      if (runOptions.as !== undefined) full.push(`--as=${runOptions.as}`);
      for (const group of runOptions.asGroups ?? []) full.push(`--as-group=${group}`);
      full.push(...args);
      const child = spawn(options.binary, full, {
        env: { ...process.env, KUBECONFIG: options.kubeconfigPath, KUBECTL_KUBERC: 'false' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), runOptions.timeoutMs ?? 60_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`e2e: could not run kubectl: ${err.message}`, { cause: err }));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      const input = runOptions.input;
      child.stdin.on('error', () => undefined);
      child.stdin.end(input === undefined ? '' : typeof input === 'string' ? input : JSON.stringify(input));
    });
}

/** mustSucceed throws with kubectl's stderr when the result is not a success, else returns stdout. */
export function mustSucceed(result: KubectlResult, what: string): string {
  if (result.code !== 0) throw new Error(`e2e: kubectl ${what} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}
