/**
 * Child processes of the end-to-end harness.
 *
 * Every server the harness starts (etcd, kube-apiserver, portcullis) runs in its own process group
 * (`detached: true`), so stopping it kills the whole group, grandchildren included. All live groups
 * are tracked here: they are killed when the test file exits, on SIGINT/SIGTERM/SIGHUP, and by a
 * small watchdog process if this process dies without a chance to clean up (SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** ManagedProcess is one running child in its own process group, with a tail of its output. */
export interface ManagedProcess {
  /** name is the label used in logs and errors. */
  readonly name: string;
  /** pid is the child's pid, which is also its process group id. */
  readonly pid: number;
  /** exited settles with the exit code (or the signal name) when the child ends. */
  readonly exited: Promise<number | string>;
  /** output returns the last lines the child wrote to stdout and stderr. */
  output(): string[];
  /** stop sends SIGTERM to the group, then SIGKILL after `graceMs` (default 5000); resolves when the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** SpawnOptions configures spawnManaged. */
export interface SpawnOptions {
  /** name labels the process in logs. */
  name: string;
  /** command is the executable. */
  command: string;
  /** args are its arguments. */
  args: string[];
  /** cwd is the working directory (default: the current one). */
  cwd?: string;
  /** env replaces the environment (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** onLine receives each output line (default: none). */
  onLine?: (line: string) => void;
  /** tailLines is how many output lines are kept for diagnostics (default 200). */
  tailLines?: number;
}

const live = new Map<number, string>();
let hooksInstalled = false;
let watchdog: ChildProcess | undefined;

/** liveProcessGroups returns the process group ids the harness started and has not yet seen exit. */
export function liveProcessGroups(): number[] {
  return [...live.keys()];
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** killAllSync sends SIGKILL to every live process group; safe to call from an 'exit' handler. */
export function killAllSync(): void {
  for (const pgid of live.keys()) killGroup(pgid, 'SIGKILL');
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllSync();
      watchdog?.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}

// The watchdog is a tiny shell loop in its own group: it reads the pgids we send on its stdin and,
// once our pid is gone (even after SIGKILL), kills every group it was told about.
const WATCHDOG_SCRIPT = `
parent=$1; groups=""
while kill -0 "$parent" 2>/dev/null; do
  if read -r -t 1 g; then groups="$groups $g"; else [ $? -gt 128 ] || sleep 1; fi
done
for g in $groups; do kill -9 -- "-$g" 2>/dev/null; done
`;

function tellWatchdog(pgid: number): void {
  if (watchdog === undefined) {
    watchdog = spawn('bash', ['-c', WATCHDOG_SCRIPT, 'portcullis-e2e-watchdog', String(process.pid)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    // Without bash there is no watchdog; exit and signal handlers still clean up.
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${pgid}\n`);
}

/** stopWatchdog ends the watchdog once no group is left (called by the harness teardown). */
export function stopWatchdog(): void {
  if (live.size === 0 && watchdog !== undefined) {
    watchdog.kill('SIGKILL');
    watchdog = undefined;
  }
}

/** spawnManaged starts a child in its own process group and tracks it until it exits. */
export function spawnManaged(options: SpawnOptions): ManagedProcess {
  installHooks();
  const tailLines = options.tailLines ?? 200;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`e2e: could not start ${options.name} (${options.command})`);
  const pid = child.pid;
  live.set(pid, options.name);
  tellWatchdog(pid);
  const tail: string[] = [];
  const onData = (stream: NodeJS.ReadableStream): void => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        options.onLine?.(line);
      }
    });
  };
  if (child.stdout) onData(child.stdout);
  if (child.stderr) onData(child.stderr);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(pid);
      // Reap anything the child left behind in its group.
      killGroup(pid, 'SIGKILL');
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      live.delete(pid);
      resolve('spawn-error');
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    pid,
    exited,
    output: () => [...tail],
    stop(graceMs = 5000) {
      if (!live.has(pid)) return exited.then(() => undefined);
      stopping ??= (async () => {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
