import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import type { Express } from 'express';
import { allow } from '../../src/admission/response.js';
import type { AdmissionHandler } from '../../src/admission/handlers.js';
import { createServerMetrics, LATENCY_BUCKETS } from '../../src/server/metrics.js';
import { createMetricsServer } from '../../src/server/metrics-server.js';
import type { MetricsServer } from '../../src/server/metrics-server.js';
import { createCoreApp, fixture } from './support/core-app.js';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** sample returns the value of the one sample line `name{labels}`, labels given in exposition order. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics scraped over plain HTTP', () => {
  let registry: Registry;
  let app: Express;
  let server: MetricsServer;
  let port: number;

  before(async () => {
    registry = new Registry();
    const metrics = createServerMetrics({ registry });
    app = await createCoreApp({ metrics });
    server = createMetricsServer({ registry, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    port = (await server.listen()).port;
    metrics.certificateExpiry.set({ certificate: 'serving' }, 1_900_000_000);
  });

  after(() => server.close());

  it('counts webhook requests by webhook and code, with latency and in-flight under controller-runtime names', async () => {
    await request(app).post('/validate').send(await fixture('widget-create-valid.json')).expect(200);
    await request(app).post('/validate').send(await fixture('widget-create-invalid.json')).expect(200);
    await request(app).post('/mutate').send(await fixture('widget-create-valid.json')).expect(200);
    await request(app).post('/validate').set('content-type', 'text/plain').send('nope').expect(415);

    const res = await get(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.equal(sample(text, 'controller_runtime_webhook_requests_total{webhook="validate",code="200"}'), 2);
    assert.equal(sample(text, 'controller_runtime_webhook_requests_total{webhook="validate",code="415"}'), 1);
    assert.equal(sample(text, 'controller_runtime_webhook_requests_total{webhook="mutate",code="200"}'), 1);
    assert.equal(sample(text, 'controller_runtime_webhook_latency_seconds_count{webhook="validate"}'), 3);
    assert.equal(sample(text, 'controller_runtime_webhook_requests_in_flight{webhook="validate"}'), 0);
    assert.ok(LATENCY_BUCKETS[0]! < 0.001);
    assert.notEqual(sample(text, 'controller_runtime_webhook_latency_seconds_bucket{le="0.0001",webhook="validate"}'), undefined, 'sub-millisecond bucket');
    assert.equal(sample(text, 'controller_runtime_webhook_latency_seconds_bucket{le="+Inf",webhook="validate"}'), 3);
    assert.equal(sample(text, 'portcullis_certificate_expiration_timestamp_seconds{certificate="serving"}'), 1_900_000_000);
  });

  it('exposes Node process metrics and the portcullis counters', async () => {
    const { body } = await get(port, '/metrics');
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.match(body, new RegExp(`^${name} `, 'm'), name);
    }
    for (const name of ['portcullis_admission_decisions_total', 'portcullis_conversion_objects_total', 'portcullis_admission_deadline_exceeded_total', 'portcullis_certificate_reloads_total']) {
      assert.match(body, new RegExp(`^# TYPE ${name} counter$`, 'm'), name);
    }
  });

  it('serves only GET /metrics and /healthz', async () => {
    assert.equal((await get(port, '/healthz')).status, 200);
    assert.equal((await get(port, '/nope')).status, 404);
    assert.equal((await get(port, '/metrics', 'POST')).status, 405);
  });

  it('reuses metrics already registered in the injected registry instead of throwing', () => {
    const again = createServerMetrics({ registry });
    assert.equal(again.requestsTotal, registry.getSingleMetric('controller_runtime_webhook_requests_total'));
  });
});

describe('deadline awareness at the admission endpoint', () => {
  const slowHandler = ((req) => new Promise((resolve) => setTimeout(() => resolve(allow(req)), 3000))) as unknown as AdmissionHandler;

  for (const failure of ['deny', 'allow'] as const) {
    it(`answers before ?timeout= by the failure preference (${failure}) and counts it`, async () => {
      const registry = new Registry();
      const metrics = createServerMetrics({ registry, processMetrics: false });
      const app = await createCoreApp({ metrics, validate: slowHandler, deadline: { failure } });
      const started = performance.now();
      const res = await request(app).post('/validate?timeout=1s').send(await fixture('widget-create-valid.json')).expect(200);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1000, `answered after ${elapsed} ms`);
      assert.ok(elapsed >= 400, `answered too early: ${elapsed} ms`);
      assert.equal(res.body.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
      assert.equal(res.body.response.allowed, failure === 'allow');
      if (failure === 'deny') assert.equal(res.body.response.status.code, 504);
      const text = await registry.metrics();
      assert.equal(sample(text, `portcullis_admission_deadline_exceeded_total{webhook="validate",action="${failure}"}`), 1);
    });
  }

  it('evaluates normally when the deadline leaves time', async () => {
    const registry = new Registry();
    const metrics = createServerMetrics({ registry, processMetrics: false });
    const app = await createCoreApp({ metrics });
    const res = await request(app).post('/validate?timeout=10s').send(await fixture('widget-create-invalid.json')).expect(200);
    assert.equal(res.body.response.status.code, 422);
    assert.doesNotMatch(await registry.metrics(), /^portcullis_admission_deadline_exceeded_total\{/m);
  });
});

describe('handlers that throw', () => {
  it('are answered as errored reviews and counted as controller-runtime counts webhook panics', async () => {
    const registry = new Registry();
    const metrics = createServerMetrics({ registry, processMetrics: false });
    const broken = (() => {
      throw new Error('bug');
    }) as AdmissionHandler;
    const app = await createCoreApp({ metrics, validate: broken });
    const before = await registry.metrics();
    assert.equal(sample(before, 'controller_runtime_webhook_panics_total'), 0);
    const res = await request(app).post('/validate').send(await fixture('widget-create-valid.json')).expect(200);
    assert.equal(res.body.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(res.body.response.allowed, false);
    assert.deepEqual(res.body.response.status, { metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'internal error while evaluating the request' });
    const text = await registry.metrics();
    assert.equal(sample(text, 'controller_runtime_webhook_panics_total'), 1);
    assert.equal(sample(text, 'controller_runtime_conversion_webhook_panics_total'), 0);
  });
});
