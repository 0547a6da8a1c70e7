import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { errorString } from '../../../src/kube/field-error.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { validateCrdDefinition } from '../../../src/schema/crd-definition-validation.js';

const crd = (schema: unknown, extra: Record<string, unknown> = {}): JsonObject =>
  ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }], ...extra },
  }) as JsonObject;

const problems = (c: JsonObject) => validateCrdDefinition(c).map(errorString);
const at = 'spec.versions[0].schema.openAPIV3Schema';

describe('CRD definition validation (what the apiserver checks on create)', () => {
  it('accepts every real-world and shipped CRD', () => {
    const dirs = ['/work/shared/crds/real-world', 'manifests/crds', 'test/fixtures/real-world-crds'];
    let count = 0;
    for (const dir of dirs) {
      let files: string[];
      try {
        files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f));
      } catch {
        continue;
      }
      for (const file of files) {
        for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
          const value = doc.toJS() as JsonObject | null;
          if (value?.['kind'] !== 'CustomResourceDefinition') continue;
          count++;
          assert.deepEqual(problems(value), [], `${dir}/${file}`);
        }
      }
    }
    assert.ok(count >= 20, `checked ${count} CRDs`);
  });

  it('requires types, an object root and items for arrays, in the apiserver words', () => {
    const out = problems(crd({ type: 'object', properties: { spec: { properties: { list: { type: 'array' }, n: { type: 'int' } } } } }));
    assert.deepEqual(out.sort(), [
      `${at}.properties[spec].properties[list].items: Required value: must be specified`,
      `${at}.properties[spec].properties[n].type: Unsupported value: "int": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${at}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ]);
    assert.deepEqual(problems(crd({ type: 'string' })), [`${at}.type: Invalid value: "string": must be object at the root`]);
  });

  it('checks list-map keys: item properties, required or defaulted, scalar', () => {
    const list = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'missing'], items: { type: 'object', properties: { name: { type: 'string' } } } };
    const out = problems(crd({ type: 'object', properties: { ports: list } }));
    assert.ok(out.includes(`${at}.properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`), out.join('\n'));
    assert.ok(out.includes(`${at}.properties[ports].x-kubernetes-list-map-keys: Invalid value: ["name","missing"]: entries must all be names of item properties`), out.join('\n'));
  });

  it('requires defaults that validate against their own schema, and none in top-level metadata', () => {
    const out = problems(crd({ type: 'object', properties: { metadata: { type: 'object', default: {} }, spec: { type: 'object', properties: { replicas: { type: 'integer', maximum: 5, default: 9 } } } } }));
    assert.ok(out.includes(`${at}.properties[spec].properties[replicas].default: Invalid value: 9: default in body should be less than or equal to 5`), out.join('\n'));
    assert.ok(out.includes(`${at}.properties[metadata].default: Forbidden: must not be set in top-level metadata`), out.join('\n'));
  });

  it('checks names, versions and conversion', () => {
    const out = problems({ ...crd({ type: 'object' }), metadata: { name: 'wrong' } } as JsonObject);
    assert.deepEqual(out, ['metadata.name: Invalid value: "wrong": must be spec.names.plural+"."+spec.group']);
    const two = crd({ type: 'object' }, { versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }, { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }], conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v2'] } } });
    assert.deepEqual(problems(two), [
      'spec.versions: Invalid value: must contain unique version names',
      'spec.versions: Invalid value: must have exactly one version marked as storage version',
      'spec.conversion.webhook.clientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.webhook.conversionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
    ]);
  });
});
