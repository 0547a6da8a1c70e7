import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** ServeProcess is a real `portcullis serve` child process (run from src/ through tsx). */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** port and metricsPort are those its "listening" line reported. */
  readonly port: number;
  readonly metricsPort: number | undefined;
  /** logs is everything it wrote so far (JSON lines). */
  logs(): string;
  /** lines returns its parsed log lines with message `msg`. */
  lines(msg: string): Array<Record<string, unknown>>;
  /** exited resolves with its exit code. */
  exited(): Promise<number | null>;
}

/** startServe runs `portcullis serve <args>` and resolves once it logs "listening" (rejects with its output if it exits first). */
export async function startServe(args: string[], timeoutMs = 90_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (logs += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (logs += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = (msg: string) =>
    logs
      .split('\n')
      .filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const listening = lines('listening')[0];
    if (listening) {
      return { child, port: listening.port as number, metricsPort: listening.metricsPort as number | undefined, logs: () => logs, lines, exited: () => exit };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode === null) child.kill('SIGKILL');
  throw new Error(`serve did not start: ${logs}`);
}
