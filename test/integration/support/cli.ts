import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** CliResult is what one run of the built binary printed and returned. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** MAIN is the built entry point (npm run build makes it), run as a user would. */
export const MAIN = path.resolve('dist/main.js');

/** portcullis runs `node dist/main.js ...args` in `cwd` (default: the repository) with optional standard input. */
export function portcullis(args: readonly string[], options: { input?: string; cwd?: string } = {}): CliResult {
  const res = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input: options.input, cwd: options.cwd, timeout: 60_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** tempTree writes files (path -> content) under a new temporary folder and returns it with a cleanup. */
export function tempTree(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pcl-cli-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
