import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ensureDevCertificates, issueCa, issueClientCertificate } from '../../src/server/certificates.js';
import type { KeyPair } from '../../src/server/certificates.js';
import { createServerRuntime } from '../../src/server/runtime.js';
import type { ServerRuntime } from '../../src/server/runtime.js';
import { fixture } from './support/core-app.js';

interface Reply {
  status: number;
  body: Record<string, any>;
  text: string;
}

function call(port: number, ca: Buffer, pathname: string, options: { body?: unknown; client?: KeyPair; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: pathname, method: options.body === undefined ? 'GET' : 'POST', ca, agent: options.agent ?? false, cert: options.client?.cert, key: options.client?.key, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, body: res.headers['content-type']?.startsWith('application/json') ? (JSON.parse(text) as Record<string, any>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

describe('serve --client-ca: the apiserver authenticated by its client certificate', () => {
  let dir: string;
  let ca: Buffer;
  let runtime: ServerRuntime;
  let port: number;
  let apiserver: KeyPair;
  let stranger: KeyPair;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-client-ca-'));
    await ensureDevCertificates(dir);
    ca = await readFile(path.join(dir, 'ca.crt'));
    const clientCa = await issueCa({ commonName: 'apiserver-client-ca' });
    await writeFile(path.join(dir, 'client-ca.crt'), clientCa.cert);
    apiserver = await issueClientCertificate(clientCa, 'kube-apiserver');
    stranger = await issueClientCertificate(await issueCa({ commonName: 'someone-else' }), 'kube-apiserver');
    runtime = createServerRuntime({
      logger: pino({ level: 'silent' }),
      sources: { crdPaths: ['manifests/crds'], policyPaths: ['policies'] },
      host: '127.0.0.1',
      port: 0,
      certDir: dir,
      clientCaFile: path.join(dir, 'client-ca.crt'),
      metrics: false,
      signals: false,
    });
    port = (await runtime.start()).address.port;
  });

  after(async () => {
    await runtime.shutdown('test');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers an admission review from a caller whose certificate the client CA signed', async () => {
    const reply = await call(port, ca, '/validate?timeout=10s', { body: await fixture('widget-create-valid.json'), client: apiserver });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.response.allowed, true);
  });

  it('refuses a caller without a certificate, or with one another CA signed, with 401 and a metav1.Status that says why', async () => {
    const review = await fixture('widget-create-valid.json');
    for (const [client, why] of [[undefined, /no client certificate was presented/], [stranger, /client certificate was not accepted/]] as const) {
      for (const route of ['/validate', '/mutate']) {
        const reply = await call(port, ca, route, { body: review, client });
        assert.equal(reply.status, 401, `${route}: ${reply.text}`);
        assert.equal(reply.body.kind, 'Status');
        assert.equal(reply.body.reason, 'Unauthorized');
        assert.equal(reply.body.code, 401);
        assert.match(reply.body.message, /^client certificate required: /);
        assert.match(reply.body.message, why);
      }
    }
    assert.match(await runtime.registry.metrics(), /^controller_runtime_webhook_requests_total\{webhook="validate",code="401"\} 2$/m);
  });

  it('refuses a caller that resumes a TLS session of a connection without a certificate', async () => {
    // One connection per request, TLS sessions cached by the agent: the second handshake resumes the first.
    const agent = new Agent({ keepAlive: false, ca });
    try {
      assert.equal((await call(port, ca, '/healthz', { agent })).status, 200);
      let resumed = false;
      const reply = await new Promise<Reply>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/validate', method: 'POST', agent, ca, headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, body: JSON.parse(text) as Record<string, any> }));
        });
        req.on('socket', (socket) => socket.once('secureConnect', () => (resumed = (socket as import('node:tls').TLSSocket).isSessionReused())));
        req.on('error', reject);
        void fixture('widget-create-valid.json').then((review) => req.end(JSON.stringify(review)));
      });
      assert.equal(resumed, true, 'the second connection resumed the first one\'s session');
      assert.equal(reply.status, 401, reply.text);
      assert.match(reply.body.message, /no client certificate was presented/);
    } finally {
      agent.destroy();
    }
  });

  it('leaves the health probes and /convert (the apiserver sends conversions without credentials) open', async () => {
    assert.equal((await call(port, ca, '/healthz')).status, 200);
    assert.equal((await call(port, ca, '/readyz')).status, 200);
    const conversion = JSON.parse(await readFile('test/fixtures/conversion/crontab-docs-review.json', 'utf8')) as unknown;
    const converted = await call(port, ca, '/convert', { body: conversion });
    assert.equal(converted.status, 200);
    assert.equal(converted.body.response.result.status, 'Success');
  });
});
