import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import jsonPatch from 'fast-json-patch';
import { loadFixture, startHardeningServer } from './support/hardening-server.js';
import type { Answer, HardeningServer } from './support/hardening-server.js';

/*
 * Property-based fuzzing of /validate, /mutate and /convert over real TLS:
 * arbitrary JSON, arbitrary bytes, and mutations of the real review fixtures.
 * Properties: never a 5xx, never an errored review (code 500), never an
 * unhandled rejection; an AdmissionReview answer echoes the uid and, with a
 * patch, the patch applies to the object as sent.
 */

const RUNS = Number(process.env['PORTCULLIS_FUZZ_RUNS'] ?? 120);
const ACCEPTED_STATUSES = new Set([200, 400, 413, 415]);

let server: HardeningServer;
let admissionFixtures: any[];
let conversionFixtures: any[];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

before(async () => {
  process.on('unhandledRejection', onRejection);
  server = await startHardeningServer();
  const admissionFiles = (await readdir(new URL('../../fixtures/admission/', import.meta.url))).filter((f) => f.endsWith('.json')).sort();
  admissionFixtures = await Promise.all(admissionFiles.map((f) => loadFixture(`admission/${f}`)));
  const conversionFiles = (await readdir(new URL('../../fixtures/conversion/', import.meta.url))).filter((f) => f.endsWith('.json') && f.includes('review')).sort();
  conversionFixtures = await Promise.all(conversionFiles.map((f) => loadFixture(`conversion/${f}`)));
});

after(async () => {
  await server.close();
  process.off('unhandledRejection', onRejection);
});

/** outcomes counts what the mutation runs produced, to check they reach the handlers rather than stop at parsing. */
const outcomes = { reviewed: 0, refused: 0, patched: 0, denied: 0 };

/** PROTOTYPES are the built-in prototypes a request must never change (prototype pollution); the server runs in this process. */
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const pristine = PROTOTYPES.map((proto) => Object.getOwnPropertyNames(proto).sort().join(','));

/** checkAnswer asserts the properties every answer must have, whatever was sent. */
function checkAnswer(route: string, body: string, answer: Answer): void {
  PROTOTYPES.forEach((proto, i) => {
    assert.equal(Object.getOwnPropertyNames(proto).sort().join(','), pristine[i], `${route} polluted a built-in prototype with ${body.slice(0, 500)}`);
  });
  assert.ok(ACCEPTED_STATUSES.has(answer.status), `${route} answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  assert.notEqual(answer.json, undefined, `${route} answered a body that is not JSON: ${answer.text.slice(0, 200)}`);
  if (answer.status !== 200) {
    outcomes.refused++;
    assert.equal(answer.json.kind, 'Status');
    assert.equal(answer.json.code, answer.status);
    return;
  }
  // The request as the server decoded it (JSON.parse keeps __proto__ keys as own properties).
  const request = JSON.parse(body).request;
  if (route === '/convert') {
    assert.equal(answer.json.kind, 'ConversionReview');
    assert.equal(answer.json.response.uid, request.uid);
    assert.ok(['Success', 'Failure'].includes(answer.json.response.result.status));
    if (answer.json.response.result.status === 'Success') assert.equal(answer.json.response.convertedObjects.length, request.objects.length);
    return;
  }
  const { response } = answer.json;
  outcomes.reviewed++;
  if (!response.allowed) outcomes.denied++;
  if (response.patch !== undefined) outcomes.patched++;
  assert.equal(answer.json.kind, 'AdmissionReview');
  assert.equal(response.uid, request.uid);
  assert.equal(typeof response.allowed, 'boolean');
  assert.notEqual(response.status?.code, 500, `errored review: ${response.status?.message}`);
  if (response.patch !== undefined) {
    assert.equal(route, '/mutate');
    assert.equal(response.patchType, 'JSONPatch');
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    // The patch must apply to the object exactly as sent (validate: true checks every op).
    jsonPatch.applyPatch(request.object, ops, true, false);
  }
}

/** A JSON value, including keys that have bitten JS servers before. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '~', '/', 'a/b~c', 'metadata', 'spec', 'kind');
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), nastyKey), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A path into a value: keys and indexes, resolved against what is there. */
const pathSteps = fc.array(fc.oneof(fc.string({ maxLength: 6 }), nastyKey, fc.nat({ max: 5 })), { minLength: 1, maxLength: 6 });

type Mutation = { kind: 'set'; steps: (string | number)[]; value: unknown } | { kind: 'delete'; steps: (string | number)[] };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), steps: pathSteps, value: jsonValue }),
  fc.record({ kind: fc.constant('delete' as const), steps: pathSteps }),
);

/** applyMutation follows steps through existing own containers (choosing an existing key by index when the step is a number) and sets or deletes there. */
function applyMutation(root: any, m: Mutation): void {
  let node = root;
  for (let i = 0; i < m.steps.length; i++) {
    if (node === null || typeof node !== 'object') return;
    const keys = Array.isArray(node) ? node.map((_: unknown, k: number) => k) : Object.keys(node);
    const step = m.steps[i] as string | number;
    const key = typeof step === 'number' && keys.length > 0 ? keys[step % keys.length] : step;
    const last = i === m.steps.length - 1;
    if (last) {
      if (m.kind === 'delete') {
        if (Array.isArray(node) && typeof key === 'number') node.splice(key, 1);
        else delete node[key as string];
      } else {
        Object.defineProperty(node, key as string, { value: m.value, enumerable: true, writable: true, configurable: true });
      }
      return;
    }
    // Follow own properties only: node['__proto__'] would otherwise reach
    // Object.prototype and the next step would pollute it from the test itself.
    if (!Object.prototype.hasOwnProperty.call(node, key as string)) return;
    node = node[key as string];
  }
}

describe('fuzzing with arbitrary JSON', () => {
  for (const route of ['/validate', '/mutate', '/convert']) {
    it(`${route} answers any JSON value with a 4xx Status or a well-formed review, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(jsonValue, async (value) => {
          const body = JSON.stringify(value) ?? 'null';
          checkAnswer(route, body, await server.post(route, body));
        }),
        { numRuns: RUNS },
      );
    });

    it(`${route} answers arbitrary bytes and odd content types with a 4xx Status`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/yaml'), async (bytes, contentType) => {
          const answer = await server.post(route, Buffer.from(bytes), { contentType });
          assert.ok([200, 400, 415].includes(answer.status), `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
        }),
        { numRuns: Math.ceil(RUNS / 2) },
      );
    });
  }
});

describe('fuzzing with mutations of the real reviews', () => {
  for (const route of ['/validate', '/mutate']) {
    it(`${route} keeps every property under up to 6 random edits of a fixture`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (pick, mutations) => {
          const review = structuredClone(admissionFixtures[pick % admissionFixtures.length]);
          for (const m of mutations) applyMutation(review, m);
          const body = JSON.stringify(review);
          checkAnswer(route, body, await server.post(route, body));
        }),
        { numRuns: RUNS },
      );
    });

    it(`${route} keeps every property when object fields are replaced by arbitrary values`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.constantFrom('spec', 'metadata', 'status', 'apiVersion', 'kind'), jsonValue, async (pick, field, value) => {
          const review = structuredClone(admissionFixtures[pick % admissionFixtures.length]);
          const target = review.request.object ?? review.request.oldObject;
          if (target) target[field] = value;
          const body = JSON.stringify(review);
          checkAnswer(route, body, await server.post(route, body));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('/convert keeps every property under up to 6 random edits of a fixture', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (pick, mutations) => {
        const review = structuredClone(conversionFixtures[pick % conversionFixtures.length]);
        for (const m of mutations) applyMutation(review, m);
        const body = JSON.stringify(review);
        checkAnswer('/convert', body, await server.post('/convert', body));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('after the fuzzing', () => {
  it('reached the handlers with allowed, denied and patched answers, not only parse errors', () => {
    assert.ok(outcomes.reviewed > outcomes.refused / 4, JSON.stringify(outcomes));
    assert.ok(outcomes.denied > 0, JSON.stringify(outcomes));
    assert.ok(outcomes.patched > 0, JSON.stringify(outcomes));
  });

  it('saw no unhandled rejection and the server still answers /healthz', async () => {
    assert.deepEqual(rejections, []);
    const probe = await server.get('/healthz');
    assert.equal(probe.status, 200);
  });
});
