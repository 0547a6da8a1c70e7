import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCelExpressionEngine } from '../../../src/conversion/cel-expressions.js';
import { CONVERSION_DATA_ANNOTATION } from '../../../src/conversion/conversion-data.js';
import { loadConversions } from '../../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../../src/conversion/convert-review.js';
import type { ConversionHandler } from '../../../src/conversion/convert-review.js';
import { parseConversionReview } from '../../../src/conversion/parse-review.js';
import { intoConversionReview } from '../../../src/conversion/response.js';
import type { ConversionRequest } from '../../../src/conversion/review.js';
import { deepCopy } from '../../../src/kube/safe-object.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import { loadCrds } from '../../../src/schema/crd-loader.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import type { Schema } from '../../../src/schema/structural.js';
import { assertResponseRules } from './response-rules.js';
import { customObject, objectBody, jsonValue, withUnknownFields } from '../../support/schema-arbitrary.js';

const V1BETA1 = 'example.com/v1beta1';
const V1 = 'example.com/v1';
let handler: ConversionHandler;
let crd: CustomResourceDefinition;

async function fixture(name: string): Promise<JsonValue> {
  return JSON.parse(await readFile(new URL(`../../fixtures/conversion/${name}`, import.meta.url), 'utf8')) as JsonValue;
}

function schemaOf(version: string): Schema {
  const found = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  assert.ok(found, `CRD has a schema for ${version}`);
  return found;
}

let uidCounter = 0;
function convert(objects: JsonObject[], desiredAPIVersion: string) {
  const request: ConversionRequest = { uid: `uid-${++uidCounter}`, desiredAPIVersion, objects };
  const frozen = deepCopy(objects as JsonValue);
  const response = handler(request);
  assert.deepEqual(objects, frozen, 'the request objects are not modified');
  return { request, response };
}

const host = fc.oneof(fc.domain(), fc.ipV4(), fc.constant('::1'), fc.string({ maxLength: 10 }));
const port = fc.integer({ min: 0, max: 65535 }).map(String);
const hostPort = fc.tuple(host, port).map(([h, p]) => `${h}:${p}`);

before(async () => {
  const crds = (await loadCrds(['manifests/crds/crontabs.yaml'])).map((l) => l.crd);
  crd = crds[0] as CustomResourceDefinition;
  const registry = await loadConversions({ policyPaths: ['policies/conversions'], crds, engine: createCelExpressionEngine() });
  handler = createConversionHandler({ registry: () => registry });
});

describe('the docs CronTab ConversionReview', () => {
  for (const suffix of ['', '-v1beta1']) {
    test(`gets exactly the docs' answer (apiextensions.k8s.io/${suffix === '' ? 'v1' : 'v1beta1'})`, async () => {
      const review = parseConversionReview(await fixture(`crontab-docs-review${suffix}.json`));
      const answer = intoConversionReview(review, handler(review.request));
      assert.deepEqual(answer, await fixture(`crontab-docs-response${suffix}.json`));
    });
  }

  test('a stored hostPort without a port converts (as a host), carrying the exact value for the way back', async () => {
    const review = parseConversionReview(await fixture('crontab-no-port-review.json'));
    const answer = intoConversionReview(review, handler(review.request));
    assert.deepEqual(answer, await fixture('crontab-no-port-response.json'));
    const back = convert(answer.response.convertedObjects, V1BETA1);
    assert.deepEqual(back.response.convertedObjects, review.request.objects);
  });
});

describe('CronTab conversion properties', () => {
  test('v1beta1 -> v1 -> v1beta1 gives back the original exactly, obeying every response rule', () => {
    const body = withUnknownFields(objectBody(schemaOf('v1beta1'), { hostPort: hostPort }));
    fc.assert(
      fc.property(customObject(V1BETA1, 'CronTab', body), (original) => {
        const there = convert([original], V1);
        assertResponseRules(there.request, there.response);
        const v1 = there.response.convertedObjects[0] as JsonObject;
        assert.equal(v1['hostPort'], undefined, 'v1 has no hostPort');
        if (typeof original['hostPort'] === 'string') assert.equal(`${v1['host']}:${v1['port']}`, original['hostPort']);
        const back = convert(there.response.convertedObjects, V1BETA1);
        assertResponseRules(back.request, back.response);
        assert.deepEqual(back.response.convertedObjects[0], original);
      }),
      { numRuns: 300 },
    );
  });

  test('v1 -> v1beta1 -> v1 gives back the original exactly, even fields v1beta1 has no place for', () => {
    const body = withUnknownFields(objectBody(schemaOf('v1'), { port: port }));
    fc.assert(
      fc.property(customObject(V1, 'CronTab', body), (original) => {
        const there = convert([original], V1BETA1);
        assertResponseRules(there.request, there.response);
        const stored = there.response.convertedObjects[0] as JsonObject;
        assert.equal(stored['host'], undefined);
        assert.equal(stored['port'], undefined);
        const back = convert(there.response.convertedObjects, V1);
        assertResponseRules(back.request, back.response);
        assert.deepEqual(back.response.convertedObjects[0], original);
        const annotations = ((back.response.convertedObjects[0] as JsonObject)['metadata'] as JsonObject)['annotations'] as JsonObject | undefined;
        assert.equal(annotations?.[CONVERSION_DATA_ANNOTATION], undefined, 'the conversion-data annotation is gone after the round trip');
      }),
      { numRuns: 300 },
    );
  });

  test('every shape a hostPort was ever stored in converts to v1 and back exactly: no stored object can fail a v1 LIST', () => {
    const anyHostPort = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), jsonValue, fc.stringMatching(/^[0-9]{1,5}$/));
    fc.assert(
      fc.property(customObject(V1BETA1, 'CronTab', withUnknownFields(fc.record({ hostPort: anyHostPort, spec: jsonValue }, { requiredKeys: [] }))), (original) => {
        const there = convert([original], V1);
        assert.equal(there.response.result.status, 'Success', there.response.result.message);
        assertResponseRules(there.request, there.response);
        const v1 = there.response.convertedObjects[0] as JsonObject;
        if (Number.isSafeInteger(original['hostPort'])) assert.equal(v1['port'], String(original['hostPort']), 'a number reads as the port');
        if (typeof original['hostPort'] === 'string' && !/:[0-9]+$/.test(original['hostPort'])) assert.equal(v1['host'], original['hostPort'], 'a hostPort without a port reads as the host');
        const back = convert(there.response.convertedObjects, V1BETA1);
        assert.equal(back.response.result.status, 'Success', back.response.result.message);
        assert.deepEqual(back.response.convertedObjects[0], original);
      }),
      { numRuns: 300 },
    );
  });

  test('a v1 port or host of any type converts to v1beta1 and back exactly', () => {
    fc.assert(
      fc.property(customObject(V1, 'CronTab', fc.record({ host: jsonValue, port: fc.oneof(jsonValue, port, fc.integer({ min: 0, max: 65535 })) }, { requiredKeys: [] })), (original) => {
        const there = convert([original], V1BETA1);
        assert.equal(there.response.result.status, 'Success', there.response.result.message);
        const stored = there.response.convertedObjects[0] as JsonObject;
        if (typeof original['host'] === 'string' && Number.isSafeInteger(original['port']) && (original['port'] as number) >= 0) assert.equal(stored['hostPort'], `${original['host']}:${original['port']}`, 'a numeric port is a port');
        const back = convert(there.response.convertedObjects, V1);
        assert.deepEqual(back.response.convertedObjects[0], original);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a 1,000-object review', () => {
  test('with mixed source versions converts every object in order, passing through those already in the desired version', () => {
    const [v1beta1s, v1s] = [
      fc.sample(customObject(V1BETA1, 'CronTab', withUnknownFields(objectBody(schemaOf('v1beta1'), { hostPort: hostPort }))), { numRuns: 500, seed: 42 }),
      fc.sample(customObject(V1, 'CronTab', withUnknownFields(objectBody(schemaOf('v1'), { port: port }))), { numRuns: 500, seed: 43 }),
    ];
    const objects: JsonObject[] = [];
    for (let i = 0; i < 500; i++) objects.push(v1beta1s[i] as JsonObject, v1s[i] as JsonObject);
    const { request, response } = convert(objects, V1);
    assertResponseRules(request, response);
    assert.equal(response.convertedObjects.length, 1000);
    response.convertedObjects.forEach((converted, i) => {
      if (i % 2 === 1) assert.equal(converted, objects[i], `objects[${i}] (already v1) is passed through as is`);
      else assert.equal((converted['metadata'] as JsonObject)['uid'], (objects[i]!['metadata'] as JsonObject)['uid'], `objects[${i}] keeps its place`);
    });
    const back = convert(response.convertedObjects, V1BETA1);
    assertResponseRules(back.request, back.response);
    back.response.convertedObjects.forEach((converted, i) => {
      if (i % 2 === 0) assert.deepEqual(converted, objects[i], `objects[${i}] round-trips`);
    });
  });
});
