import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { issueCa, issueServingCertificate } from '../../src/server/certificates.js';
import type { KeyPair } from '../../src/server/certificates.js';
import { createHttpsListener } from '../../src/server/https-server.js';
import type { HttpsListener } from '../../src/server/https-server.js';
import { realClock } from '../../src/kube/clock.js';
import { createTlsReloader } from '../../src/server/tls-reloader.js';
import type { TlsReloader } from '../../src/server/tls-reloader.js';
import { createCoreApp, fixture } from './support/core-app.js';

const silent = pino({ level: 'silent' });
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** secretVolume lays files out as the kubelet does for a Secret volume: <dir>/..data -> ..<ts>/, tls.crt -> ..data/tls.crt. */
async function writeSecretVolume(dir: string, version: string, pair: KeyPair): Promise<void> {
  const data = path.join(dir, `..${version}`);
  await mkdir(data);
  await writeFile(path.join(data, 'tls.crt'), pair.cert);
  await writeFile(path.join(data, 'tls.key'), pair.key);
  await symlink(`..${version}`, path.join(dir, '..data_tmp'));
  // The atomic swap the kubelet's AtomicWriter does: rename over the old ..data link.
  await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
}

/** servedFingerprint opens a new TLS connection and returns the SHA-256 fingerprint of the certificate presented. */
function servedFingerprint(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername, ALPNProtocols: ['http/1.1'], checkServerIdentity: () => undefined }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!cert) reject(new Error('no peer certificate'));
      else resolve(cert.fingerprint256);
    });
    socket.on('error', reject);
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('certificate hot reload', () => {
  let dir: string;
  let ca: KeyPair;
  let pairA: KeyPair;
  let pairB: KeyPair;
  let pairC: KeyPair;

  before(async () => {
    ca = await issueCa();
    [pairA, pairB, pairC] = await Promise.all([1, 2, 3].map(() => issueServingCertificate(ca, ['localhost', '127.0.0.1'])));
  });

  describe('a Secret volume swapped while clients send continuously', () => {
    let reloader: TlsReloader;
    let listener: HttpsListener;
    let port: number;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'portcullis-tls-reload-'));
      await writeSecretVolume(dir, 'v1', pairA);
      await symlink('..data/tls.crt', path.join(dir, 'tls.crt'));
      await symlink('..data/tls.key', path.join(dir, 'tls.key'));
      // A long interval: only the folder watch can explain a quick reload.
      reloader = createTlsReloader({ certDir: dir, logger: silent, intervalMs: 3_600_000 });
      await reloader.start();
      listener = createHttpsListener({ app: await createCoreApp(), tls: reloader.tlsOptions(), host: '127.0.0.1', port: 0 });
      reloader.attach(listener.server);
      port = (await listener.listen()).port;
    });

    after(async () => {
      reloader.stop();
      await listener.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('serves the new certificate on new handshakes with zero failed requests', async () => {
      assert.equal(await servedFingerprint(port, ca.cert), fingerprint(pairA.cert));
      const body = JSON.stringify(await fixture('widget-create-valid.json'));
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 2, ca: ca.cert });
      let ok = 0;
      const failures: string[] = [];
      const seen = new Set<string>();
      let running = true;
      const send = (agent: Agent | false, servername?: string) =>
        new Promise<void>((resolve) => {
          const req = httpsRequest(
            { host: '127.0.0.1', port, path: '/validate?timeout=5s', method: 'POST', agent, ca: ca.cert, servername, headers: { 'content-type': 'application/json' } },
            (res) => {
              const cert = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
              if (cert) seen.add(cert.fingerprint256);
              let text = '';
              res.setEncoding('utf8').on('data', (c: string) => (text += c));
              res.on('end', () => {
                if (res.statusCode === 200 && JSON.parse(text).response?.allowed === true) ok += 1;
                else failures.push(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
                resolve();
              });
            },
          );
          req.on('error', (err) => {
            failures.push(err.message);
            resolve();
          });
          req.end(body);
        });
      const loop = async (agent: Agent | false, servername?: string) => {
        while (running) await send(agent, servername);
      };
      // Keep-alive clients (connections that outlive the swap) and clients that
      // handshake on every request, with and without SNI.
      const loops = [loop(keepAlive), loop(keepAlive), loop(false), loop(false, 'localhost')];
      await new Promise((r) => setTimeout(r, 300));
      const okBeforeSwap = ok;
      await writeSecretVolume(dir, 'v2', pairB);
      const tookMs = await until(async () => (await servedFingerprint(port, ca.cert)) === fingerprint(pairB.cert), 'the new certificate (no SNI)');
      assert.equal(await servedFingerprint(port, ca.cert, 'localhost'), fingerprint(pairB.cert), 'SNI handshakes see it too');
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      assert.deepEqual(failures, []);
      assert.ok(okBeforeSwap > 0 && ok > okBeforeSwap + 10, `requests served: ${okBeforeSwap} before, ${ok} in all`);
      assert.ok(seen.has(fingerprint(pairA.cert)) && seen.has(fingerprint(pairB.cert)), 'clients saw both certificates');
      assert.equal(reloader.current()?.fingerprint256, fingerprint(pairB.cert));
      console.log(`# rotation under load: ${ok} requests, 0 failed, new certificate served ${Math.round(tookMs)} ms after the swap`);
    });

    it('keeps the previous certificate while the key does not match, then takes the fixed pair', async () => {
      const current = fingerprint(pairB.cert);
      await writeSecretVolume(dir, 'v3', { cert: pairC.cert, key: pairA.key });
      assert.equal(await reloader.reload(), false);
      assert.equal(await servedFingerprint(port, ca.cert), current);
      await writeSecretVolume(dir, 'v4', pairC);
      await until(async () => (await servedFingerprint(port, ca.cert)) === fingerprint(pairC.cert), 'the fixed certificate');
    });
  });

  it('picks up files rewritten in place by the periodic re-read alone', async () => {
    const plain = await mkdtemp(path.join(tmpdir(), 'portcullis-tls-plain-'));
    try {
      await writeFile(path.join(plain, 'tls.crt'), pairA.cert);
      await writeFile(path.join(plain, 'tls.key'), pairA.key);
      const loaded: Date[] = [];
      const reloader = createTlsReloader({ certDir: plain, logger: silent, watch: false, intervalMs: 100, onLoaded: (d) => loaded.push(d) });
      await reloader.start();
      await writeFile(path.join(plain, 'tls.key'), pairB.key);
      await writeFile(path.join(plain, 'tls.crt'), pairB.cert);
      await until(async () => reloader.current()?.fingerprint256 === fingerprint(pairB.cert), 'periodic re-read');
      reloader.stop();
      assert.equal(loaded.length, 2);
      assert.equal(loaded[1]?.getTime(), new Date(new X509Certificate(pairB.cert).validTo).getTime());
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('reports not ready once the served certificate has expired', async () => {
    const plain = await mkdtemp(path.join(tmpdir(), 'portcullis-tls-expiry-'));
    try {
      await writeFile(path.join(plain, 'tls.crt'), pairA.cert);
      await writeFile(path.join(plain, 'tls.key'), pairA.key);
      let wall = Date.now();
      const reloader = createTlsReloader({ certDir: plain, logger: silent, watch: false, clock: { ...realClock, now: () => wall } });
      assert.equal(reloader.readiness().ready, false, 'not ready before start');
      await reloader.start();
      assert.deepEqual(reloader.readiness(), { ready: true });
      wall = (reloader.current()?.notAfter.getTime() ?? 0) + 1;
      const state = reloader.readiness();
      assert.equal(state.ready, false);
      assert.match(state.reason ?? '', /expired/);
      reloader.stop();
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('refuses to start on a key that does not match the certificate', async () => {
    const plain = await mkdtemp(path.join(tmpdir(), 'portcullis-tls-bad-'));
    try {
      await writeFile(path.join(plain, 'tls.crt'), pairA.cert);
      await writeFile(path.join(plain, 'tls.key'), pairB.key);
      const reloader = createTlsReloader({ certDir: plain, logger: silent, watch: false });
      await assert.rejects(reloader.start(), { code: 'PCL_ERR_CERTIFICATE', message: /does not match/ });
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });
});
