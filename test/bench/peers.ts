import { execFile } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PeerServer } from './scenarios.js';

/*
 * The peers of `npm run bench -- --peers`: other implementations of the
 * Widget webhook, built from this repository's own sources under
 * test/bench/peers/ into a cache folder (never into git), and started like
 * any other target.
 */

const run = promisify(execFile);

/** PEER_CACHE is where peer binaries are built: ~/.cache/portcullis/bench-peers (or $XDG_CACHE_HOME). */
export const PEER_CACHE = path.join(process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'portcullis', 'bench-peers');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir)) {
    if (/\.(go|mod|sum)$/.test(entry)) newest = Math.max(newest, (await stat(path.join(dir, entry))).mtimeMs);
  }
  return newest;
}

/**
 * controllerRuntimePeer builds test/bench/peers/controller-runtime (a
 * kubebuilder-style webhook: typed Widget structs, a CustomDefaulter on
 * /mutate, a CustomValidator on /validate) with `go build` when its binary
 * is missing or older than its sources, and returns how to start it, or
 * { skipped } saying why not (no Go, or the build failed).
 */
export async function controllerRuntimePeer(root: string, certDir: string, log: (line: string) => void): Promise<PeerServer | { skipped: string }> {
  const source = path.join(root, 'test/bench/peers/controller-runtime');
  const binary = path.join(PEER_CACHE, 'controller-runtime-widget');
  try {
    await run('go', ['version']);
  } catch {
    return { skipped: 'no go toolchain on PATH' };
  }
  const built = await stat(binary).then((s) => s.mtimeMs, () => 0);
  if (built < (await newestMtime(source))) {
    log(`building the controller-runtime peer into ${binary} (go build; the first build downloads modules and takes minutes)`);
    await mkdir(PEER_CACHE, { recursive: true });
    try {
      await run('go', ['build', '-o', binary, '.'], { cwd: source, env: { ...process.env, GOFLAGS: '-buildvcs=false' }, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      return { skipped: `go build failed: ${String((err as { stderr?: string }).stderr ?? err).slice(0, 2000)}` };
    }
  }
  return {
    routes: ['/validate', '/mutate'],
    start: { name: 'controller-runtime', command: binary, args: (port) => [String(port), certDir] },
  };
}
