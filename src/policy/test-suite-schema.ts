import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { JsonValue } from '../kube/types.js';
import type { DocumentProblem } from './policy-document.js';
import { pointerToDisplay } from '../kube/object-path.js';
import { pickError } from './policy-document.js';

/** POLICY_TEST_JSON_SCHEMA is the JSON Schema of a PolicyTest suite document (see docs/policies.md). */
export const POLICY_TEST_JSON_SCHEMA = {
  $id: 'https://portcullis.dev/schemas/policy-test-v1alpha1.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'portcullis.dev/v1alpha1' },
    kind: { const: 'PolicyTest' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    spec: {
      type: 'object',
      required: ['cases'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        policies: { type: 'array', items: { type: 'string', minLength: 1 } },
        failOnSkip: { type: 'boolean' },
        cases: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'expect'],
            additionalProperties: false,
            anyOf: [{ required: ['review'] }, { required: ['object'] }, { required: ['oldObject'] }],
            properties: {
              name: { type: 'string', minLength: 1 },
              endpoint: { enum: ['mutate', 'validate'] },
              review: { type: 'object' },
              object: { type: 'object' },
              oldObject: { type: 'object' },
              operation: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
              kind: {
                type: 'object',
                required: ['group', 'version', 'kind'],
                properties: { group: { type: 'string' }, version: { type: 'string' }, kind: { type: 'string' } },
              },
              user: { type: 'string' },
              groups: { type: 'array', items: { type: 'string' } },
              userInfo: { type: 'object' },
              namespace: { type: 'string' },
              subResource: { type: 'string' },
              dryRun: { type: 'boolean' },
              expect: {
                type: 'object',
                required: ['allowed'],
                additionalProperties: false,
                properties: {
                  allowed: { type: 'boolean' },
                  code: { type: 'integer' },
                  reason: { type: 'string' },
                  message: { type: 'string' },
                  warnings: { type: 'array', items: { type: 'string' } },
                  auditAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
                  patch: { type: 'array', items: { type: 'object' } },
                  object: { type: 'object' },
                  matched: { type: 'array', items: { type: 'string', minLength: 1 } },
                  decisions: {
                    type: 'object',
                    additionalProperties: { enum: ['pass', 'deny', 'warn', 'audit', 'mutated', 'unchanged', 'not-run'] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

let validate: ValidateFunction | undefined;

/** checkTestDocument validates a PolicyTest document; null when valid, else the first problem. */
export function checkTestDocument(value: JsonValue): DocumentProblem | null {
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(POLICY_TEST_JSON_SCHEMA);
  if (validate(value)) return null;
  const error = pickError(validate.errors ?? []);
  if (!error) return { field: '', message: 'is invalid' };
  const params = error.params as Record<string, unknown>;
  const field = pointerToDisplay(error.instancePath);
  if (error.keyword === 'additionalProperties') return { field: `${field}${field ? '.' : ''}${String(params['additionalProperty'])}`, message: 'unknown field' };
  if (error.keyword === 'required') return { field: `${field}${field ? '.' : ''}${String(params['missingProperty'])}`, message: 'required field is missing' };
  if (error.keyword === 'anyOf') return { field, message: 'a case needs review, object or oldObject' };
  return { field, message: error.message ?? 'is invalid' };
}
