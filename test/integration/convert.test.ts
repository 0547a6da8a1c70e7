import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { createMutateHandler, createValidateHandler } from '../../src/admission/handlers.js';
import { createCelExpressionEngine } from '../../src/conversion/cel-expressions.js';
import { loadConversions } from '../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../src/conversion/convert-review.js';
import type { ConversionHandler } from '../../src/conversion/convert-review.js';
import { loadRuntimeConfig } from '../../src/server/admission-runtime.js';
import { createApp } from '../../src/server/app.js';
import { monotonicClock } from '../../src/kube/clock.js';
import { createConvertEndpoint } from '../../src/server/convert-endpoint.js';

async function fixture(name: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(new URL(`../fixtures/conversion/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
}

/** createConvertApp builds the in-process app with the shipped CRDs and converters; log lines go to `logs`. */
async function createConvertApp(options: { handler?: ConversionHandler; bodyLimit?: number } = {}) {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const config = await loadRuntimeConfig({ crdPaths: ['manifests/crds'], policyPaths: ['policies'] });
  const registry = await loadConversions({ policyPaths: ['policies'], crds: config.crds.crds, engine: createCelExpressionEngine() });
  const handler = options.handler ?? createConversionHandler({ registry: () => registry });
  const chain = () => config.chain;
  const app = createApp({
    mutate: createMutateHandler({ chain }),
    validate: createValidateHandler({ chain }),
    convert: createConvertEndpoint({ handler, logger, bodyLimit: options.bodyLimit, clock: { ...monotonicClock, now: () => 0 } }),
    logger,
  });
  return { app, logs };
}

describe('POST /convert (in-process)', () => {
  let app: Express;
  let logs: Record<string, unknown>[];
  before(async () => {
    ({ app, logs } = await createConvertApp());
  });

  for (const suffix of ['', '-v1beta1']) {
    it(`answers the docs' CronTab review${suffix ? ' (v1beta1)' : ''} with exactly the docs' answer`, async () => {
      const res = await request(app).post('/convert').send(await fixture(`crontab-docs-review${suffix}.json`)).expect(200).expect('content-type', /application\/json/);
      assert.deepEqual(res.body, await fixture(`crontab-docs-response${suffix}.json`));
    });
  }

  it('answers a conversion failure with HTTP 200, result Failure, the uid and a message naming namespace/name, apiVersions and field', async () => {
    const res = await request(app).post('/convert').send(await fixture('crontab-unknown-version-review.json')).expect(200);
    assert.deepEqual(res.body, await fixture('crontab-unknown-version-response.json'));
  });

  it('converts a stored hostPort without a port, which the docs converter refused', async () => {
    const res = await request(app).post('/convert').send(await fixture('crontab-no-port-review.json')).expect(200);
    assert.deepEqual(res.body, await fixture('crontab-no-port-response.json'));
  });

  it('converts a round trip through HTTP back to the original, conversion-data annotation gone', async () => {
    const v1 = { apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c', namespace: 'n', uid: 'x' }, host: 'only-host', spec: { image: 'i' } };
    const there = await request(app).post('/convert').send({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'a', desiredAPIVersion: 'example.com/v1beta1', objects: [v1] } }).expect(200);
    const stored = there.body.response.convertedObjects[0];
    assert.equal(stored.host, undefined);
    assert.match(stored.metadata.annotations['portcullis.dev/conversion-data'], /only-host/);
    const back = await request(app).post('/convert').send({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'b', desiredAPIVersion: 'example.com/v1', objects: [stored] } }).expect(200);
    assert.deepEqual(back.body.response.convertedObjects, [v1]);
  });

  it('logs uid, desiredAPIVersion, count, result and latency, never object contents', async () => {
    logs.length = 0;
    await request(app).post('/convert').send(await fixture('crontab-docs-review.json')).expect(200);
    await request(app).post('/convert').send(await fixture('crontab-unknown-version-review.json')).expect(200);
    assert.deepEqual(logs.map((l) => [l['msg'], l['uid'], l['desiredAPIVersion'], l['objects'], l['result'], l['latencyMs']]), [
      ['conversion review', '705ab4f5-6393-11e8-b7cc-42010a800002', 'example.com/v1', 2, 'Success', 0],
      ['conversion review', '5d0c1f7e-2a4b-4c8e-9f31-7a6b5c4d3e21', 'example.com/v1', 2, 'Failure', 0],
    ]);
    const text = JSON.stringify(logs);
    for (const secret of ['localhost:1234', 'example.com:2345', '3415a7fc-162b-4300-b5da-fd6083580d66']) assert.ok(!text.includes(secret), `logs do not contain ${secret}`);
  });

  describe('malformed reviews get a 4xx with a metav1.Status body, never a 5xx', () => {
    const raw = (body: string, type = 'application/json') => request(app).post('/convert').set('content-type', type).send(body);
    const review = (req: unknown, apiVersion = 'apiextensions.k8s.io/v1') => JSON.stringify({ apiVersion, kind: 'ConversionReview', request: req });
    const cases: Array<[string, () => request.Test, number, RegExp]> = [
      ['not JSON', () => raw('{"apiVersion":'), 400, /not valid JSON/],
      ['an empty body', () => raw(''), 400, /empty/],
      ['a wrong content type', () => raw('{}', 'text/plain'), 415, /contentType=text\/plain, expected application\/json/],
      ['an AdmissionReview', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}'), 400, /apiVersion must be one of apiextensions.k8s.io\/v1/],
      ['a missing request', () => raw('{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview"}'), 400, /request must be an object/],
      ['a missing uid', () => raw(review({ desiredAPIVersion: 'example.com/v1', objects: [] })), 400, /request\.uid must be a non-empty string/],
      ['a missing desiredAPIVersion', () => raw(review({ uid: 'u', objects: [] })), 400, /request\.desiredAPIVersion must be "group\/version"/],
      ['objects that are not a list', () => raw(review({ uid: 'u', desiredAPIVersion: 'example.com/v1', objects: null })), 400, /request\.objects must be an array, got null/],
      ['an object without kind', () => raw(review({ uid: 'u', desiredAPIVersion: 'example.com/v1', objects: [{ apiVersion: 'example.com/v1beta1', metadata: {} }] })), 400, /request\.objects\[0\]\.kind/],
    ];
    for (const [name, send, code, message] of cases) {
      it(`answers ${name} with ${code}`, async () => {
        const res = await send().expect(code).expect('content-type', /application\/json/);
        assert.equal(res.body.kind, 'Status');
        assert.equal(res.body.status, 'Failure');
        assert.equal(res.body.code, code);
        assert.match(res.body.message, message);
      });
    }

    it('answers 413 past the body limit and 405 for GET', async () => {
      const small = (await createConvertApp({ bodyLimit: 1024 })).app;
      const big = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion: 'example.com/v1', objects: [{ apiVersion: 'example.com/v1beta1', kind: 'CronTab', metadata: { name: 'x'.repeat(2000) } }] } };
      const res = await request(small).post('/convert').send(big).expect(413);
      assert.equal(res.body.code, 413);
      await request(app).get('/convert').expect(405);
    });
  });

  it('turns a handler that throws into a Failure that still echoes the uid and apiVersion', async () => {
    const broken = (await createConvertApp({ handler: () => { throw new Error('bug'); } })).app;
    const res = await request(broken).post('/convert').send(await fixture('crontab-docs-review-v1beta1.json')).expect(200);
    assert.deepEqual(res.body, {
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      kind: 'ConversionReview',
      response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', result: { status: 'Failure', message: 'internal error while converting' }, convertedObjects: [] },
    });
  });
});
