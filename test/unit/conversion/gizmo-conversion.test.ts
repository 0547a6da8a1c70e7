import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { createCelExpressionEngine } from '../../../src/conversion/cel-expressions.js';
import { loadConversions } from '../../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../../src/conversion/convert-review.js';
import type { ConversionHandler } from '../../../src/conversion/convert-review.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { loadCrds } from '../../../src/schema/crd-loader.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import type { Schema } from '../../../src/schema/structural.js';
import { assertResponseRules } from './response-rules.js';
import { customObject, objectBody, withUnknownFields } from '../../support/schema-arbitrary.js';

/* Property tests of the code-converter example (Gizmo, a TypeScript module). */

let handler: ConversionHandler;
let crd: CustomResourceDefinition;
const schemaOf = (version: string) => crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema as Schema;
const port = fc.integer({ min: 0, max: 65535 });

before(async () => {
  const crds = (await loadCrds(['test/fixtures/conversion/crds'])).map((l) => l.crd);
  crd = crds[0] as CustomResourceDefinition;
  const registry = await loadConversions({ policyPaths: ['test/fixtures/conversion/policies'], crds, engine: createCelExpressionEngine() });
  handler = createConversionHandler({ registry: () => registry });
});

function roundTrip(original: JsonObject, there: string, back: string): void {
  const first = { uid: 'a', desiredAPIVersion: there, objects: [original] };
  const converted = handler(first);
  assertResponseRules(first, converted);
  const second = { uid: 'b', desiredAPIVersion: back, objects: converted.convertedObjects };
  const restored = handler(second);
  assertResponseRules(second, restored);
  assert.deepEqual(restored.convertedObjects[0], original);
}

test('Gizmo v1 -> v2 -> v1 is exact, whatever spacing the port string has', () => {
  const ports = fc.array(fc.tuple(port, fc.constantFrom('', ' ', '  ')), { maxLength: 4 }).map((list) => list.map(([p, pad]) => `${pad}${p}`).join(','));
  const body = withUnknownFields(objectBody(schemaOf('v1'), { 'spec.ports': ports }));
  fc.assert(fc.property(customObject('demo.portcullis.dev/v1', 'Gizmo', body), (original) => roundTrip(original, 'demo.portcullis.dev/v2', 'demo.portcullis.dev/v1')), { numRuns: 200 });
});

test('Gizmo v2 -> v1 -> v2 is exact', () => {
  const body = withUnknownFields(objectBody(schemaOf('v2'), { 'spec.ports': fc.array(port, { maxLength: 5 }) }));
  fc.assert(fc.property(customObject('demo.portcullis.dev/v2', 'Gizmo', body), (original) => roundTrip(original, 'demo.portcullis.dev/v1', 'demo.portcullis.dev/v2')), { numRuns: 200 });
});
