import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { issueServingCertificate } from '../../src/server/certificates.js';
import { fixture } from './support/core-app.js';
import { startServe } from './support/serve-process.js';
import type { ServeProcess } from './support/serve-process.js';

/*
 * The real `portcullis serve` process picks up a rewritten certificate
 * without a restart; then, under load, it receives SIGTERM: every
 * request it accepted is answered, readiness goes false first, and it exits 0
 * within the drain period. Its metrics port is scraped under load.
 */

function post(port: number, ca: Buffer, agent: Agent | false, body: string, slowMs = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate?timeout=10s', method: 'POST', agent, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (slowMs === 0) req.end(body);
    else {
      req.write(body.slice(0, 100));
      setTimeout(() => req.end(body.slice(100)), slowMs);
    }
  });
}

function get(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the real portcullis serve process: certificate reload, SIGTERM under load, metrics', () => {
  let dir: string;
  let child: ChildProcess;
  let server: ServeProcess;
  let port = 0;
  let metricsPort = 0;
  let ca: Buffer;
  const exited = () => server.exited();
  const logsOf = () => server.logs();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-sigterm-'));
    server = await startServe(['--host=127.0.0.1', '--port=0', `--cert-dir=${dir}`, '--metrics-host=127.0.0.1', '--metrics-port=0', '--shutdown-delay=1s', '--drain-period=10s']);
    child = server.child;
    port = server.port;
    metricsPort = server.metricsPort ?? 0;
    ca = await readFile(path.join(dir, 'ca.crt'));
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a certificate rewritten in its --cert-dir on new connections, without a restart', async () => {
    const servedFingerprint = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
          resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
          socket.end();
        });
        socket.on('error', reject);
      });
    const before = await servedFingerprint();
    const next = await issueServingCertificate({ cert: ca.toString(), key: await readFile(path.join(dir, 'ca.key'), 'utf8') }, ['localhost', '127.0.0.1']);
    for (const [name, content] of [['tls.key', next.key], ['tls.crt', next.cert]] as const) {
      await writeFile(path.join(dir, `${name}.new`), content);
      await rename(path.join(dir, `${name}.new`), path.join(dir, name));
    }
    const deadline = Date.now() + 10_000;
    let now = before;
    while (now === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await servedFingerprint();
    }
    assert.notEqual(now, before, 'the new certificate is served');
    const scrape = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.match(scrape.body, /^portcullis_certificate_reloads_total\{result="success"\} 2$/m);
    assert.equal(child.exitCode, null, 'no restart');
  });

  it('answers every accepted request, goes unready first, and exits 0 within the drain period (metrics scraped meanwhile)', async () => {
    const review = await fixture('widget-create-valid.json');
    let sent = 0;
    // Each request gets its own uid, so the server's log says which it handled.
    const nextBody = (): { uid: string; body: string } => {
      const uid = `load-${(sent += 1)}`;
      review.request.uid = uid;
      return { uid, body: JSON.stringify(review) };
    };
    const answeredUids = new Set<string>();
    const failedUids = new Map<string, string>();
    assert.equal((await get(`https://127.0.0.1:${port}/readyz`, ca)).status, 200);
    const agent = new Agent({ keepAlive: true, maxSockets: 4, ca });
    let answered = 0;
    let answeredAfterSignal = 0;
    let signalled = false;
    const errors: string[] = [];
    const loop = async () => {
      for (;;) {
        const { uid, body } = nextBody();
        try {
          const status = await post(port, ca, agent, body);
          assert.equal(status, 200);
          answeredUids.add(uid);
          answered += 1;
          if (signalled) answeredAfterSignal += 1;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          errors.push(code);
          failedUids.set(uid, code);
          return;
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await new Promise((r) => setTimeout(r, 1000));
    // The metrics port of the live process, scraped under load.
    const scrape = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(scrape.status, 200);
    const served = /^controller_runtime_webhook_requests_total\{webhook="validate",code="200"\} (\d+)$/m.exec(scrape.body);
    assert.ok(served && Number(served[1]) > 0, 'requests counted');
    const notAfter = /^portcullis_certificate_expiration_timestamp_seconds\{certificate="serving"\} (\d+)$/m.exec(scrape.body);
    assert.ok(notAfter && Number(notAfter[1]) * 1000 > Date.now(), 'certificate expiry exported');
    assert.match(scrape.body, /^process_resident_memory_bytes \d+/m);
    assert.match(scrape.body, /^portcullis_admission_decisions_total\{stage="schema",policy="",rule="",action="validate",result="allowed"\} [1-9]\d*$/m, 'stage decisions counted');
    assert.match(scrape.body, /^# TYPE portcullis_policy_reload_errors_total counter$/m, 'the config reloader shares the registry');
    const slowRequest = nextBody();
    const slow = post(port, ca, agent, slowRequest.body, 1800);
    await new Promise((r) => setTimeout(r, 100));

    const signalledAt = performance.now();
    const code = exited();
    child.kill('SIGTERM');
    signalled = true;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await get(`https://127.0.0.1:${port}/readyz`, ca)).status, 503, 'not ready while draining');
    assert.equal(await slow, 200, 'the request in flight at SIGTERM was answered');
    answeredUids.add(slowRequest.uid);
    await Promise.all(loops);
    assert.equal(await code, 0);
    const tookMs = performance.now() - signalledAt;
    agent.destroy();

    assert.ok(tookMs < 10_000, `exit took ${tookMs} ms`);
    assert.ok(answeredAfterSignal > 0, 'requests kept being served during the shutdown delay');
    // Every request that reached the HTTP layer finished (abandoned 0) and
    // every review the server handled reached its client. Clients fail only
    // on connections the server never took a request from: refused once the
    // listener closed, or reset while new and idle (in a cluster the
    // shutdown delay lets endpoints stop sending them first).
    const logs = logsOf();
    const complete = logs.split('\n').find((l) => l.includes('"msg":"shutdown complete"'));
    assert.ok(complete, logs.slice(-2000));
    assert.equal(JSON.parse(complete).abandoned, 0);
    const handled = logs
      .split('\n')
      .filter((l) => l.includes('"msg":"admission review"'))
      .map((l) => (JSON.parse(l) as { uid: string }).uid)
      .filter((uid) => uid.startsWith('load-'));
    assert.equal(handled.length, answeredUids.size, 'the server handled exactly the requests that were answered');
    for (const uid of handled) assert.ok(answeredUids.has(uid), `${uid} was handled but its client saw ${failedUids.get(uid) ?? 'nothing'}`);
    assert.ok(errors.every((e) => e === 'ECONNREFUSED' || e === 'ECONNRESET'), `client errors: ${errors.join(', ')}`);
    console.log(`# SIGTERM under load: ${answered + 1} requests answered (${answeredAfterSignal} after the signal), 0 accepted requests dropped, ${errors.join('/')} on unaccepted connections, exit 0 after ${Math.round(tookMs)} ms`);
  });
});
