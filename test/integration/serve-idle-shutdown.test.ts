import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { startServe } from './support/serve-process.js';
import type { ServeProcess } from './support/serve-process.js';

/*
 * Issue 14, defect 2: a TCP connection that never starts TLS, and a TLS
 * connection that finished its handshake but sent no request, held the real
 * server's shutdown past the drain period: "shutdown complete" was never
 * logged and the last-resort timer exited 1.
 */
describe('the real portcullis serve process with idle connections at SIGTERM', () => {
  let dir: string;
  let server: ServeProcess;
  const drainMs = 10_000;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-idle-'));
    await ensureDevCertificates(dir);
    server = await startServe(['--host=127.0.0.1', '--port=0', `--cert-dir=${dir}`, '--metrics-host=127.0.0.1', '--metrics-port=0', `--drain-period=${drainMs / 1000}s`]);
  });

  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('closes them as idle, logs "shutdown complete" and exits 0 within the drain period', { timeout: 30_000 }, async () => {
    const plain = netConnect(server.port, '127.0.0.1');
    await once(plain, 'connect');
    const secure = tlsConnect({ host: '127.0.0.1', port: server.port, ca: await readFile(path.join(dir, 'ca.crt')), servername: 'localhost' });
    await once(secure, 'secureConnect');
    for (const socket of [plain, secure]) socket.on('error', () => undefined);
    const closedByServer = Promise.all([once(plain, 'close'), once(secure, 'close')]);

    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    const code = await server.exited();
    const tookMs = performance.now() - signalledAt;
    await closedByServer;

    assert.equal(code, 0, server.logs().slice(-2000));
    const [complete] = server.lines('shutdown complete');
    assert.ok(complete, `no "shutdown complete": ${server.logs().slice(-2000)}`);
    assert.equal(complete.abandoned, 0);
    assert.ok((complete.elapsedMs as number) < drainMs, `shutdown took ${String(complete.elapsedMs)} ms of a ${drainMs} ms drain period`);
    console.log(`# SIGTERM with an idle TCP and an idle TLS connection: shutdown complete after ${String(complete.elapsedMs)} ms, exit 0 after ${Math.round(tookMs)} ms`);
  });
});
