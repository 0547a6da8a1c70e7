import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { startServe } from './support/serve-process.js';
import type { ServeProcess } from './support/serve-process.js';

/* `serve --workers 2`: two processes on one port, one /metrics endpoint for both, one shutdown. */
describe('the real portcullis serve process with --workers 2', () => {
  let dir: string;
  let server: ServeProcess;
  let ca: Buffer;

  const review = (uid: string) =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' },
        resource: { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' },
        namespace: 'team-web',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: { apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team-web' }, spec: { image: 'nginx', replicas: 99 } },
        oldObject: null,
      },
    });

  // A new connection per request (agent: false), so the primary hands them to both workers in turn.
  const post = (body: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/validate', method: 'POST', ca, servername: 'localhost', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-workers-'));
    await ensureDevCertificates(dir);
    ca = await readFile(path.join(dir, 'ca.crt'));
    server = await startServe(['--host=127.0.0.1', '--port=0', `--cert-dir=${dir}`, '--metrics-host=127.0.0.1', '--metrics-port=0', '--workers=2']);
  });

  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers on one port from two workers, counts both in one /metrics, logs each denial with user and cause, and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    // The primary logs "listening" once both listen; each worker's own line may come a moment later.
    for (let i = 0; i < 100 && server.lines('worker listening').length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.lines('worker listening').length, 2, server.logs().slice(-2000));
    assert.equal(server.lines('listening')[0]?.workers, 2);
    // Each request on a new connection; the primary hands connections to the workers in turn. Send until both
    // workers' decision lines are there (bounded: 200 requests), reading the logs after each answer.
    const seen = () => new Set(server.lines('admission review').map((l) => l.worker));
    let sent = 0;
    while (sent < 200 && seen().size < 2) {
      const answer = await post(review(`uid-${sent++}`));
      assert.equal(answer.status, 200);
      assert.equal(answer.body.response.allowed, false);
      assert.equal(answer.body.response.status.code, 422);
      for (let i = 0; i < 20 && server.lines('admission review').length < sent; i++) await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual([...seen()].sort(), [1, 2], `both workers answered within ${sent} requests`);
    const line = server.lines('admission review')[0];
    assert.equal(line?.user, 'alice');
    assert.equal(line?.operation, 'CREATE');
    assert.deepEqual(line?.deniedBy, ['schema:spec.replicas', 'widget-team-label/team-label']);

    assert.ok(server.metricsPort !== undefined, 'the primary serves /metrics');
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`^controller_runtime_webhook_requests_total\\{webhook="validate",code="200"\\} ${sent}$`, 'm'));

    // As a signal to the process group (Ctrl-C) does: primary and workers each get it; each worker still drains once.
    const primary = server.child.pid as number;
    const workers = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(workers.length, 2);
    for (const pid of [primary, ...workers]) process.kill(pid, 'SIGTERM');
    assert.equal(await server.exited(), 0, server.logs().slice(-2000));
    assert.equal(server.lines('second signal: exiting now').length, 0);
    assert.equal(server.lines('shutdown complete').length, 2);
    assert.equal(server.lines('all workers stopped')[0]?.failed, 0);
  });
});
