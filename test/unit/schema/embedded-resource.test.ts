import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { embeddedDecodePass, embeddedResourcePass } from '../../../src/schema/embedded-resource.js';
import { errorString } from '../../../src/kube/field-error.js';
import { compileUnknownFieldFinder } from '../../../src/schema/pruning.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const schema: Schema = {
  type: 'object',
  properties: {
    template: {
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { kind: { type: 'string', maxLength: 20 } },
    },
  },
};
const validator = compileValidator(schema, { extensions: [embeddedDecodePass, embeddedResourcePass] });
const run = (template: JsonObject) => validator.validate({ template });
const messages = (template: JsonObject) => run(template).errors.map(errorString);

describe('x-kubernetes-embedded-resource', () => {
  it('accepts a complete embedded object', () => {
    assert.deepEqual(messages({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { app: 'a' } }, data: {} }), []);
  });

  it('requires apiVersion and kind', () => {
    assert.deepEqual(messages({ metadata: {} }), ['template.apiVersion: Required value', 'template.kind: Required value']);
  });

  it('checks kind as a mixed-case DNS-1035 label and apiVersion as a group/version', () => {
    assert.deepEqual(messages({ apiVersion: 'a/b/c', kind: 'Config_Map' }), [
      'template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      "template.kind: Invalid value: \"Config_Map\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('fails like the apiserver decoder, alone and first, for a non-string kind', () => {
    const result = run({ apiVersion: 'v1', kind: 12345 });
    assert.equal(result.decodeFailed, true);
    assert.deepEqual(result.errors.map(errorString), ['template.kind: Invalid value: 12345: must be a string']);
  });

  it('words undecodable metadata as encoding/json does', () => {
    assert.deepEqual(messages({ apiVersion: 'v1', kind: 'X', metadata: { name: 12345 } }), [
      'template.metadata: Invalid value: {"name":12345}: json: cannot unmarshal number into Go struct field ObjectMeta.name of type string',
    ]);
    assert.deepEqual(messages({ apiVersion: 'v1', kind: 'X', metadata: 'm' }), ['template.metadata: Invalid value: "m": invalid metadata: expected object, got string']);
  });

  it('validates embedded labels and names like ObjectMeta', () => {
    assert.deepEqual(messages({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a/b', labels: { 'bad key!': 'v' } } }), [
      "template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
      "template.metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
  });

  it('reports unknown ObjectMeta fields of embedded and root metadata as prunable', () => {
    const find = compileUnknownFieldFinder(schema);
    assert.deepEqual(find({ metadata: { name: 'n', bogus: 1 }, template: { apiVersion: 'v1', kind: 'X', metadata: { zz: 1 }, free: 1 } }), ['metadata.bogus', 'template.metadata.zz']);
  });
});
