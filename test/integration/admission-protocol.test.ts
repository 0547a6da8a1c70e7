import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createCoreApp, fixture } from './support/core-app.js';

const decodePatch = (patch: string) => JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { op: string; path: string; value?: unknown }[];

describe('admission protocol (in-process)', () => {
  let app: Express;
  before(async () => {
    app = await createCoreApp();
  });

  for (const endpoint of ['/validate', '/mutate']) {
    it(`${endpoint} answers a v1 review with the same apiVersion, kind and uid`, async () => {
      const res = await request(app).post(endpoint).send(await fixture('widget-create-valid.json')).expect(200).expect('content-type', /application\/json/);
      assert.equal(res.body.apiVersion, 'admission.k8s.io/v1');
      assert.equal(res.body.kind, 'AdmissionReview');
      assert.equal(res.body.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
      assert.equal(res.body.response.allowed, true);
      assert.equal(res.body.response.patch, undefined);
    });

    it(`${endpoint} answers v1beta1 with v1beta1`, async () => {
      const res = await request(app).post(endpoint).send(await fixture('widget-create-v1beta1.json')).expect(200);
      assert.equal(res.body.apiVersion, 'admission.k8s.io/v1beta1');
      assert.equal(res.body.response.uid, 'f6b8d0f2-4a6c-4e8a-b13d-5a7c9e1a3b4f');
    });

    it(`${endpoint} denies a schema violation with 422 Invalid and every cause`, async () => {
      const res = await request(app).post(endpoint).send(await fixture('widget-create-invalid.json')).expect(200);
      const { response } = res.body;
      assert.equal(response.allowed, false);
      assert.equal(response.patch, undefined);
      assert.equal(response.status.code, 422);
      assert.equal(response.status.reason, 'Invalid');
      assert.match(response.status.message, /^Widget\.demo\.portcullis\.dev "broken" is invalid: \[/);
      const fields = response.status.details.causes.map((c: { field: string }) => c.field);
      assert.deepEqual(fields.sort(), ['spec.hooks[0].name', 'spec.hooks[1].url', 'spec.image', 'spec.replicas', 'spec.resources.memoryMiB', 'spec.tier'].sort());
      const replicas = response.status.details.causes.find((c: { field: string }) => c.field === 'spec.replicas');
      assert.deepEqual(replicas, { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: 20: spec.replicas in body should be less than or equal to 10' });
    });

    it(`${endpoint} allows kinds no CRD defines, untouched`, async () => {
      const res = await request(app).post(endpoint).send(await fixture('configmap-create-unknown-kind.json')).expect(200);
      assert.deepEqual(res.body.response, { uid: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f', allowed: true });
    });

    it(`${endpoint} never patches a DELETE`, async () => {
      const res = await request(app).post(endpoint).send(await fixture('widget-delete.json')).expect(200);
      assert.deepEqual(res.body.response, { uid: 'd4f6a8c0-2e4a-4c6e-9f1b-3e5a7c9e1f2d', allowed: true });
    });
  }

  it('/mutate patches in the defaults with add ops only where absent', async () => {
    const res = await request(app).post('/mutate').send(await fixture('widget-create-needs-defaults.json')).expect(200);
    assert.equal(res.body.response.patchType, 'JSONPatch');
    assert.deepEqual(decodePatch(res.body.response.patch), [
      { op: 'add', path: '/spec/hooks/0/timeoutSeconds', value: 5 },
      { op: 'add', path: '/spec/replicas', value: 1 },
      { op: 'add', path: '/spec/tier', value: 'backend' },
      { op: 'add', path: '/spec/resources', value: { cpu: '100m', memoryMiB: 128 } },
      { op: 'add', path: '/spec/paused', value: false },
    ]);
  });

  it('/mutate gives no patch for an object that is already defaulted (idempotent)', async () => {
    const review = await fixture('widget-create-needs-defaults.json');
    const first = await request(app).post('/mutate').send(review).expect(200);
    const jsonPatch = (await import('fast-json-patch')).default;
    review.request.object = jsonPatch.applyPatch(review.request.object, decodePatch(first.body.response.patch) as never[], true, false).newDocument;
    const second = await request(app).post('/mutate').send(review).expect(200);
    assert.equal(second.body.response.patch, undefined);
    assert.equal(second.body.response.allowed, true);
  });

  it('/validate never returns a patch, even when defaults are missing', async () => {
    const res = await request(app).post('/validate').send(await fixture('widget-create-needs-defaults.json')).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.patch, undefined);
    assert.equal(res.body.response.patchType, undefined);
  });

  it('handles cluster-scoped, status-subresource, UPDATE and dry-run reviews', async () => {
    for (const name of ['gadgetclass-create-cluster-scoped.json', 'widget-status-update.json', 'widget-update.json', 'widget-create-dryrun.json']) {
      const review = await fixture(name);
      const res = await request(app).post('/validate').send(review).expect(200);
      assert.equal(res.body.response.uid, review.request.uid, name);
      assert.equal(res.body.response.allowed, true, name);
    }
  });

  describe('bad input gets a 4xx metav1.Status and never a 5xx', () => {
    const raw = (body: string, type = 'application/json') => request(app).post('/validate').set('content-type', type).send(body);
    const cases: [string, () => request.Test, number, RegExp][] = [
      ['not JSON', () => raw('{"apiVersion":'), 400, /not valid JSON/],
      ['an empty body', () => raw(''), 400, /empty/],
      ['a wrong content type', () => raw('{}', 'text/plain'), 415, /contentType=text\/plain, expected application\/json/],
      ['an array body', () => raw('[]'), 400, /must be a JSON object, got an array/],
      ['a missing request', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}'), 400, /request must be an object/],
      ['a null request', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}'), 400, /request must be an object, got null/],
      ['a missing uid', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"group":"","version":"v1","kind":"X"},"operation":"CREATE","object":{}}}'), 400, /request\.uid/],
      ['an object that is not an object', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"","version":"v1","kind":"X"},"operation":"CREATE","object":"str"}}'), 400, /request\.object must be an object/],
      ['truncated JSON', () => raw('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionRev'), 400, /not valid JSON/],
    ];
    for (const [name, send, status, message] of cases) {
      it(`answers ${name} with ${status}`, async () => {
        const res = await send().expect(status).expect('content-type', /application\/json/);
        assert.equal(res.body.kind, 'Status');
        assert.equal(res.body.status, 'Failure');
        assert.equal(res.body.code, status);
        assert.match(res.body.message, message);
      });
    }

    it('accepts a 6.5 MiB UPDATE and answers 413 past 7 MiB', async () => {
      const review = await fixture('widget-update.json');
      review.request.object.spec.notes = 'x'.repeat(6.5 * 1024 * 1024);
      await request(app).post('/validate').send(review).expect(200);
      review.request.object.spec.notes = 'x'.repeat(7 * 1024 * 1024 + 10);
      const res = await request(app).post('/validate').send(review).expect(413);
      assert.equal(res.body.code, 413);
    });

    it('keeps __proto__ and constructor keys from polluting anything', async () => {
      const review = await fixture('widget-create-needs-defaults.json');
      const body = JSON.stringify(review).replace('"spec":{', '"spec":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
      const res = await raw(body).expect(200);
      assert.equal(res.body.response.allowed, true);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
    });

    it('answers unknown routes with 404 and wrong methods with 405', async () => {
      await request(app).get('/nope').expect(404);
      await request(app).get('/validate').expect(405);
    });
  });

  it('serves /healthz and /readyz', async () => {
    await request(app).get('/healthz').expect(200, 'ok');
    await request(app).get('/readyz').expect(200, 'ok');
  });

  it('/readyz fails while not ready', async () => {
    const notReady = await createCoreApp({ ready: () => ({ ready: false, reason: 'shutting down' }) });
    await request(notReady).get('/readyz').expect(503, /shutting down/);
  });
});
