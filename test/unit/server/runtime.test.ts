import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ensureDevCertificates } from '../../../src/server/certificates.js';
import { createServerRuntime } from '../../../src/server/runtime.js';
import type { ServerRuntimeOptions } from '../../../src/server/runtime.js';

const logger = pino({ level: 'silent' });

function get(port: number, ca: Buffer, pathname: string): Promise<number> {
  return fetchText(port, ca, pathname).then((r) => r.status);
}

function fetchText(port: number, ca: Buffer, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server runtime', () => {
  let dir: string;
  let ca: Buffer;
  const base = (): ServerRuntimeOptions => ({ logger, sources: { crdPaths: ['manifests/crds'], policyPaths: ['policies'] }, host: '127.0.0.1', port: 0, certDir: dir, metrics: false, signals: false });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pcl-runtime-'));
    await ensureDevCertificates(dir);
    ca = await readFile(path.join(dir, 'ca.crt'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('fails to start, listening nowhere, when the certificate folder is empty', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'pcl-runtime-empty-'));
    try {
      const runtime = createServerRuntime({ ...base(), certDir: empty });
      await assert.rejects(runtime.start(), { code: 'PCL_ERR_CERTIFICATE' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('serves the shipped examples, drains on the first signal and exits at once on the second', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const runtime = createServerRuntime({ ...base(), signals, exit: (code) => exits.push(code) });
    const { address } = await runtime.start();
    assert.equal(await get(address.port, ca, '/readyz'), 200);
    assert.ok(runtime.config.current().conversions.converters.length > 0, 'the shipped conversions are loaded with the configuration');
    const scrape = await runtime.registry.metrics();
    assert.match(scrape, /^# TYPE controller_runtime_webhook_requests_total counter$/m);
    const { hash, loadedAt } = runtime.config.status();
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.match(scrape, new RegExp(`^portcullis_config_info\\{hash="${hash}"\\} 1$`, 'm'));
    assert.match(scrape, /^portcullis_config_last_load_success_timestamp_seconds \d+(\.\d+)?$/m);
    const verbose = await fetchText(address.port, ca, '/readyz?verbose');
    assert.equal(verbose.status, 200);
    assert.deepEqual(verbose.body.split('\n').map((l) => l.replace(/ .*/, '')), ['[+]shutdown', '[+]certificate', '[+]config', 'ok', '']);
    assert.ok(verbose.body.includes(`[+]config ok hash=${hash} loadedAt=${new Date(loadedAt).toISOString()}`), verbose.body);
    signals.emit('SIGTERM');
    assert.equal(await runtime.stopped(), 0);
    signals.emit('SIGINT');
    assert.deepEqual(exits, [1], 'the second signal exits with status 1');
  });

  it('stops and rejects start() when the after-listen step (registration) fails', async () => {
    const runtime = createServerRuntime({ ...base(), afterListen: () => Promise.reject(new Error('apiserver unreachable')) });
    await assert.rejects(runtime.start(), /apiserver unreachable/);
    assert.equal(await runtime.stopped(), 0);
  });
});
