/**
 * Lossless conversion with edits in between: the apiserver stores CronTabs as v1beta1; clients
 * read, patch and write in either version, keeping whatever conversion-data annotation they read
 * (a merge patch or `kubectl edit` does). A stored copy of a field must never win over a newer
 * write of the field it stands for, in any version.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCelExpressionEngine } from '../../../src/conversion/cel-expressions.js';
import { CONVERSION_DATA_ANNOTATION } from '../../../src/conversion/conversion-data.js';
import { loadConversions } from '../../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../../src/conversion/convert-review.js';
import type { ConversionHandler } from '../../../src/conversion/convert-review.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import { loadCrds } from '../../../src/schema/crd-loader.js';
import { customObject } from '../../support/schema-arbitrary.js';

type Version = 'v1' | 'v1beta1';
const STORAGE: Version = 'v1beta1';
let handler: ConversionHandler;

before(async () => {
  const crds = (await loadCrds(['manifests/crds/crontabs.yaml'])).map((l) => l.crd);
  const registry = await loadConversions({ policyPaths: ['policies/conversions'], crds, engine: createCelExpressionEngine() });
  handler = createConversionHandler({ registry: () => registry });
});

function convert(object: JsonObject, version: Version): JsonObject {
  if (object['apiVersion'] === `example.com/${version}`) return structuredClone(object);
  const response = handler({ uid: 'u', desiredAPIVersion: `example.com/${version}`, objects: [object] });
  assert.equal(response.result.status, 'Success', response.result.message);
  return structuredClone(response.convertedObjects[0] as JsonObject);
}

/** A stand-in for the apiserver's storage of one CronTab: reads convert from storage, writes convert to it. */
function createStore(initial: JsonObject) {
  let stored = convert(initial, STORAGE);
  return {
    read: (version: Version) => convert(stored, version),
    write(object: JsonObject) {
      stored = convert(object, STORAGE);
    },
    get stored() {
      return stored;
    },
  };
}

/** An edit of one field as a client of that version makes it (values its schema accepts). */
type Edit = { version: Version; field: string; value: JsonValue | undefined };

function applyEdit(object: JsonObject, edit: Edit): JsonObject {
  const out = structuredClone(object);
  const [head, ...rest] = edit.field.split('.') as [string, ...string[]];
  const container = rest.length === 0 ? out : ((out[head] ??= {}) as JsonObject);
  const key = rest.length === 0 ? head : (rest[0] as string);
  if (edit.value === undefined) delete container[key];
  else container[key] = edit.value;
  return out;
}

function withoutData(object: JsonObject): JsonObject {
  const out = structuredClone(object);
  const metadata = out['metadata'] as JsonObject;
  const annotations = metadata['annotations'] as JsonObject | undefined;
  if (annotations) {
    delete annotations[CONVERSION_DATA_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete metadata['annotations'];
  }
  return out;
}

/** assertViewsAgree checks that v1 and v1beta1 readers see the same host and port. */
function assertViewsAgree(v1beta1: JsonObject, v1: JsonObject, history: string): void {
  const hostPort = v1beta1['hostPort'];
  const match = typeof hostPort === 'string' ? /^(.*):([0-9]+)$/s.exec(hostPort) : null;
  if (match) assert.deepEqual([v1['host'], v1['port']], [match[1], match[2]], `v1 reads the host and port of hostPort ${JSON.stringify(hostPort)} after ${history}`);
  if (typeof v1['host'] === 'string' && typeof v1['port'] === 'string' && /^[0-9]+$/.test(v1['port'])) {
    assert.equal(hostPort, `${v1['host']}:${v1['port']}`, `v1beta1 reads v1's host and port after ${history}`);
  }
}

const host = fc.oneof(fc.domain(), fc.constant('db.internal'), fc.string({ maxLength: 6 }));
const port = fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), fc.constant('http'));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ version: fc.constant<Version>('v1beta1'), field: fc.constant('hostPort'), value: fc.oneof(fc.tuple(host, port).map(([h, p]) => `${h}:${p}`), host, fc.constant(undefined)) }),
  fc.record({ version: fc.constant<Version>('v1'), field: fc.constant('host'), value: fc.option(host, { nil: undefined }) }),
  fc.record({ version: fc.constant<Version>('v1'), field: fc.constant('port'), value: fc.option(port, { nil: undefined }) }),
  fc.record({ version: fc.constantFrom<Version>('v1', 'v1beta1'), field: fc.constant('spec.replicas'), value: fc.integer({ min: 0, max: 9 }) }),
);
const start = fc.oneof(
  customObject('example.com/v1', 'CronTab', fc.record({ host, port }, { requiredKeys: [] })),
  customObject('example.com/v1beta1', 'CronTab', fc.record({ hostPort: fc.oneof(host, fc.tuple(host, port).map(([h, p]) => `${h}:${p}`)) }, { requiredKeys: [] })),
);

describe('edits in the other version between conversions', () => {
  test('the lost write of issue 14: a host set through v1beta1, then a port patched through v1, is stored as both', () => {
    const store = createStore({ apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c', namespace: 'e2e' }, host: 'db.internal' });
    assert.equal(store.stored['hostPort'], undefined, 'v1beta1 has no place for a host without a port');
    store.write(applyEdit(store.read('v1beta1'), { version: 'v1beta1', field: 'hostPort', value: 'new.internal:7000' }));
    const v1 = store.read('v1');
    assert.deepEqual([v1['host'], v1['port']], ['new.internal', '7000'], 'the old host does not come back from the annotation');
    store.write(applyEdit(v1, { version: 'v1', field: 'port', value: '7001' }));
    assert.equal(store.stored['hostPort'], 'new.internal:7001');
    assert.deepEqual([store.read('v1')['host'], store.read('v1')['port']], ['new.internal', '7001']);
    assert.equal(store.read('v1beta1')['hostPort'], 'new.internal:7001');
  });

  test('a field v1beta1 has no place for survives edits of other fields there', () => {
    const store = createStore({ apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, host: 'db.internal', spec: { replicas: 1 } });
    store.write(applyEdit(store.read('v1beta1'), { version: 'v1beta1', field: 'spec.replicas', value: 3 }));
    assert.deepEqual(withoutData(store.read('v1')), { apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, host: 'db.internal', spec: { replicas: 3 } });
  });

  test('a port without a host, then a hostPort without a port set through v1beta1: the stale port does not come back', () => {
    const store = createStore({ apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, port: '80' });
    store.write(applyEdit(store.read('v1beta1'), { version: 'v1beta1', field: 'hostPort', value: 'x' }));
    assert.deepEqual(withoutData(store.read('v1')), { apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, host: 'x' });
  });

  test('any sequence of edits in either version: every write reads back in its version, and both versions agree', () => {
    fc.assert(
      fc.property(start, fc.array(edit, { minLength: 1, maxLength: 8 }), (initial, edits) => {
        const store = createStore(initial);
        const history: string[] = [];
        for (const step of edits) {
          const written = applyEdit(store.read(step.version), step);
          store.write(written);
          history.push(`${step.version} ${step.field}=${JSON.stringify(step.value)}`);
          assert.deepEqual(withoutData(store.read(step.version)), withoutData(written), `the write reads back as written after ${history.join(', ')}`);
          assertViewsAgree(store.read('v1beta1'), store.read('v1'), history.join(', '));
        }
        // Reading and writing back unchanged, in either version, changes no field (stale copies may be cleaned up).
        for (const version of ['v1', 'v1beta1'] as const) {
          const before = { v1: store.read('v1'), v1beta1: store.read('v1beta1') };
          store.write(store.read(version));
          assert.deepEqual(withoutData(store.read('v1')), withoutData(before.v1), `a ${version} write-back of what was read changes nothing in v1`);
          assert.deepEqual(withoutData(store.read('v1beta1')), withoutData(before.v1beta1), `a ${version} write-back of what was read changes nothing in v1beta1`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
