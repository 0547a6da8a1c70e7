import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { createLargeReviewOffload } from '../../src/server/large-reviews.js';
import type { LargeReviewOffload } from '../../src/server/large-reviews.js';
import { createCoreApp, fixture } from './support/core-app.js';

// Every fixture review is over 1 KiB: with that threshold each one goes to the worker thread.
const THRESHOLD = 1024;

describe('large reviews on the worker thread (in-process)', () => {
  let onLoop: Awaited<ReturnType<typeof createCoreApp>>;
  let offloaded: Awaited<ReturnType<typeof createCoreApp>>;
  let offload: LargeReviewOffload;
  const registry = new Registry();
  const decisions = new Counter({ name: 'portcullis_admission_decisions_total', help: 'h', labelNames: ['stage', 'policy', 'rule', 'action', 'result'] as const, registers: [registry] });
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

  before(async () => {
    offload = createLargeReviewOffload({ sources: { crdPaths: ['manifests/crds'], policyPaths: ['policies'] }, generation: () => 1, failure: 'deny', logger, decisions, thresholdBytes: THRESHOLD });
    onLoop = await createCoreApp();
    offloaded = await createCoreApp({ large: offload, logger });
  });
  after(() => offload.close());

  for (const name of ['widget-create-valid.json', 'widget-create-invalid.json']) {
    for (const endpoint of ['/validate', '/mutate']) {
      it(`${endpoint} answers ${name} exactly as on the event loop`, async () => {
        const body = await fixture(name);
        assert.ok(JSON.stringify(body).length >= THRESHOLD, 'the fixture is over the threshold');
        const expected = await request(onLoop).post(endpoint).send(body).expect(200);
        const actual = await request(offloaded).post(endpoint).send(body).expect(200);
        assert.deepEqual(actual.body, expected.body);
        const line = lines.findLast((l) => l['msg'] === 'admission review');
        assert.equal(line?.['offloaded'], true, `answered on the worker thread: ${JSON.stringify(lines.filter((l) => l['err'] !== undefined))}`);
        assert.equal(line?.['uid'], body['request'].uid);
        if (actual.body.response.allowed === false) assert.ok(Array.isArray(line?.['deniedBy']) && (line['deniedBy'] as string[]).length > 0, 'a denial names what denied it');
      });
    }
  }

  it('answers a body that is no JSON with 400, as on the event loop', async () => {
    const text = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"${'x'.repeat(THRESHOLD)}"`;
    const expected = await request(onLoop).post('/validate').set('content-type', 'application/json').send(text).expect(400);
    const actual = await request(offloaded).post('/validate').set('content-type', 'application/json').send(text).expect(400);
    assert.deepEqual(actual.body, expected.body);
  });

  it('counts the worker\'s decisions in the server\'s counter', async () => {
    await request(offloaded).post('/validate').send(await fixture('widget-create-invalid.json')).expect(200);
    const metric = await registry.getSingleMetric('portcullis_admission_decisions_total')!.get();
    const denied = metric.values.filter((v) => v.labels['result'] === 'denied').reduce((sum, v) => sum + v.value, 0);
    assert.ok(denied > 0, `denials counted: ${JSON.stringify(metric.values)}`);
  });
});
