/**
 * Test helper: asserts the apiserver's rules for a ConversionReview answer
 * (protocol.md §2.2, webhook_converter.go) on a request and its response.
 */
import assert from 'node:assert/strict';
import { deepEqual } from '../../../src/kube/safe-object.js';
import type { JsonObject } from '../../../src/kube/types.js';
import type { ConversionRequest, ConversionResponse } from '../../../src/conversion/review.js';

function withoutLabelsAndAnnotations(metadata: unknown): JsonObject {
  const { labels: _l, annotations: _a, ...rest } = (metadata ?? {}) as JsonObject;
  return rest;
}

/** assertResponseRules checks every rule the apiserver applies to a successful conversion response. */
export function assertResponseRules(request: ConversionRequest, response: ConversionResponse): void {
  assert.equal(response.uid, request.uid, 'uid is echoed');
  assert.deepEqual(response.result, { status: 'Success' }, `result is Success: ${response.result.message}`);
  assert.equal(response.convertedObjects.length, request.objects.length, 'same count');
  response.convertedObjects.forEach((converted, i) => {
    const original = request.objects[i] as JsonObject;
    assert.equal(converted['kind'], original['kind'], `objects[${i}] keeps its kind`);
    assert.equal(converted['apiVersion'], request.desiredAPIVersion, `objects[${i}] is in the desired version`);
    const meta = converted['metadata'] as JsonObject;
    const originalMeta = original['metadata'] as JsonObject;
    assert.ok(meta !== null && typeof meta === 'object', `objects[${i}] has metadata`);
    assert.deepEqual(withoutLabelsAndAnnotations(meta), withoutLabelsAndAnnotations(originalMeta), `objects[${i}] metadata unchanged except labels/annotations`);
    for (const field of ['labels', 'annotations']) {
      const map = meta[field];
      if (map === undefined) continue;
      assert.ok(map !== null && typeof map === 'object' && !Array.isArray(map), `objects[${i}].metadata.${field} is a map`);
      for (const value of Object.values(map)) assert.equal(typeof value, 'string', `objects[${i}].metadata.${field} values are strings`);
    }
    if (original['apiVersion'] === request.desiredAPIVersion) {
      assert.ok(deepEqual(converted, original), `objects[${i}] already in the desired version passes through unchanged`);
    }
  });
}
