import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';

/** Target is one server under load: a child process listening on 127.0.0.1 over HTTPS. */
export interface Target {
  /** name labels the target in the table ("portcullis", "bare", "policies-10"...). */
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** rssMiB reads the child's current resident set size in MiB (Linux /proc), or NaN. */
  rssMiB(): number;
  /** cpuMs reads the child's user+system CPU time so far in ms (Linux /proc, 10 ms ticks), or NaN. */
  cpuMs(): number;
  /** stop sends SIGTERM and waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** StartOptions describes how to start one target. */
export interface StartOptions {
  name: string;
  /** command is the program to run (default: this node binary). */
  command?: string;
  /** args are the program's arguments for a given port (for node: script and flags). */
  args: (port: number) => string[];
  /** cpus pins the target to these CPUs with taskset when pinning is on (see `pinning`); default: the server CPU. */
  cpus?: string;
  /** env is added to the child's environment. */
  env?: Record<string, string>;
  /** settleMs is waited after /healthz first answers, before anything is measured (a multi-worker server's other workers). */
  settleMs?: number;
  /** readyTimeoutMs bounds the wait for GET /healthz to answer 200; default 30 s. */
  readyTimeoutMs?: number;
}

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * startTarget spawns `node <args>` (stdout discarded, so the server logs at
 * its normal level at its normal cost), then polls GET /healthz until it
 * answers 200. Throws with the child's stderr if it exits or never gets ready.
 */
export async function startTarget(options: StartOptions): Promise<Target> {
  const port = await freePort();
  const command = options.command ?? process.execPath;
  const cpus = options.cpus ?? pinning.serverCpus;
  // taskset execs the command: the child's pid is the server's.
  const [program, args] = pinning.enabled && cpus !== undefined ? ['taskset', ['-c', cpus, command, ...options.args(port)]] : [command, options.args(port)];
  const child = spawn(program as string, args as string[], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await healthy(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: options.name,
    port,
    child,
    rssMiB: () => sumOverTree(child.pid, readRssMiB),
    cpuMs: () => sumOverTree(child.pid, readCpuMs),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Pinning: on a machine with 2+ CPUs and taskset, the load generator (this
 * process) runs on CPU 0 and each server on the last CPU, so the two don't
 * take each other's time slices; a multi-worker server gets every CPU.
 */
export const pinning: { enabled: boolean; loadCpu?: string; serverCpus?: string; allCpus?: string } = { enabled: false };

/** enablePinning pins this process to CPU 0 and makes servers start on the last CPU; returns a line saying what it did. */
export function enablePinning(cpuCount: number): string {
  if (cpuCount < 2) return 'pinning: off (1 CPU)';
  try {
    execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return 'pinning: off (no taskset)';
  }
  Object.assign(pinning, { enabled: true, loadCpu: '0', serverCpus: String(cpuCount - 1), allCpus: `0-${cpuCount - 1}` });
  return `pinning: load generator on CPU 0, each server on CPU ${cpuCount - 1} (taskset); multi-worker servers on CPUs 0-${cpuCount - 1}`;
}

/** childPids lists a process' direct children (Linux /proc), for servers that fork workers. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** sumOverTree adds a per-process figure over a process and its children (a cluster primary and its workers). */
function sumOverTree(pid: number | undefined, read: (pid: number) => number): number {
  if (pid === undefined) return Number.NaN;
  return childPids(pid).reduce((sum, child) => sum + read(child), read(pid));
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** readRssMiB returns VmRSS of a process from /proc/<pid>/status in MiB, or NaN where /proc is missing. */
export function readRssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** readCpuMs returns utime+stime of a process from /proc/<pid>/stat in ms (assuming 100 ticks per second), or NaN. */
export function readCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** postOnce sends one POST and returns the status and parsed JSON body, to check a target answers as expected before loading it. */
export function postOnce(port: number, path: string, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // keep the text: the caller reports it
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
