/**
 * The apiserver's view of Portcullis's keep-alive (docs/deploy.md,
 * "Keep-alive"): a connection is reused after 80 s idle and after 95 s, past
 * the apiserver's own 90 s IdleConnTimeout, with the listener's defaults.
 * Real time: takes ~3 minutes. Reports; asserts nothing.
 *   node --import tsx test/bench/idle-connection.ts
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { createHttpsListener } from '../../src/server/https-server.js';

const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-idle-'));
try {
  await ensureDevCertificates(dir);
  const ca = await readFile(path.join(dir, 'ca.crt'));
  const listener = createHttpsListener({ app: (_req, res) => res.end('ok'), tls: { cert: await readFile(path.join(dir, 'tls.crt')), key: await readFile(path.join(dir, 'tls.key')) }, host: '127.0.0.1', port: 0 });
  const { port } = await listener.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  // Like Go's transport, ignore the server's Keep-Alive: timeout= hint.
  agent.keepSocketAlive = (socket) => {
    (socket as import('node:net').Socket).setKeepAlive(true, 1000);
    return true;
  };
  const get = () =>
    new Promise<{ reused: boolean; status: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent, ca, path: '/' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ reused: req.reusedSocket, status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
      req.end();
    });
  console.log('first request', await get());
  for (const idleMs of [80_000, 95_000]) {
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, idleMs));
    console.log(`after ${Date.now() - t0} ms idle`, await get());
  }
  agent.destroy();
  await listener.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
