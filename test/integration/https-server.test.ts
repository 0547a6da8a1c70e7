import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { createHttpsListener } from '../../src/server/https-server.js';
import type { HttpsListener } from '../../src/server/https-server.js';
import { createCoreApp, fixture } from './support/core-app.js';

function post(port: number, ca: Buffer, pathname: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: pathname, method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('real HTTPS server on 127.0.0.1 with generated certificates', () => {
  let dir: string;
  let listener: HttpsListener;
  let port: number;
  let ca: Buffer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-certs-'));
    const { generated } = await ensureDevCertificates(dir, { dnsNames: ['portcullis.portcullis-system.svc'] });
    assert.equal(generated, true);
    ca = await readFile(path.join(dir, 'ca.crt'));
    const app = await createCoreApp();
    listener = createHttpsListener({ app, host: '127.0.0.1', port: 0, tls: { cert: await readFile(path.join(dir, 'tls.crt')), key: await readFile(path.join(dir, 'tls.key')) } });
    port = (await listener.listen()).port;
  });

  after(async () => {
    await listener.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('issues a serving certificate with the required SANs, signed by the dev CA', async () => {
    const cert = new X509Certificate(await readFile(path.join(dir, 'tls.crt')));
    const san = cert.subjectAltName ?? '';
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:portcullis.portcullis-system.svc']) {
      assert.ok(san.includes(name), `${name} missing from ${san}`);
    }
    assert.ok(cert.verify(new X509Certificate(ca).publicKey));
    assert.equal((await stat(path.join(dir, 'tls.key'))).mode & 0o777, 0o600);
  });

  it('never overwrites existing certificate files', async () => {
    const before = await readFile(path.join(dir, 'tls.crt'), 'utf8');
    const { generated } = await ensureDevCertificates(dir, { dnsNames: ['other.example'] });
    assert.equal(generated, false);
    assert.equal(await readFile(path.join(dir, 'tls.crt'), 'utf8'), before);
  });

  it('answers a review through a client that verifies the CA', async () => {
    const review = await fixture('widget-create-valid.json');
    const res = await post(port, ca, '/validate', review);
    assert.equal(res.status, 200);
    assert.equal(res.body.response.uid, review['request'].uid);
    assert.equal(res.body.response.allowed, true);
  });

  it('negotiates HTTP/1.1 over ALPN and refuses TLS 1.1', async () => {
    const alpn = await new Promise<string | false>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        resolve(socket.alpnProtocol ?? false);
        socket.end();
      });
      socket.on('error', reject);
    });
    assert.equal(alpn, 'http/1.1');
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve(socket));
        socket.on('error', reject);
      }),
    );
  });

  it('keeps idle connections open longer than the apiserver does (its 90 s: keep-alive.test.ts), with header and request timeouts Node accepts', () => {
    assert.ok(listener.server.keepAliveTimeout > 90_000);
    assert.ok(listener.server.headersTimeout > 0 && listener.server.headersTimeout <= listener.server.requestTimeout);
  });
});
