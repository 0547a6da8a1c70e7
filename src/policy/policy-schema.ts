/**
 * POLICY_JSON_SCHEMA is the JSON Schema (draft 2020-12 subset that ajv 8
 * checks) of an AdmissionPolicy document. The loader enforces it before it
 * compiles anything; docs/policy.schema.json is a copy that a unit test keeps
 * equal.
 */
export const POLICY_JSON_SCHEMA = {
  $id: 'https://portcullis.dev/schemas/admission-policy-v1alpha1.json',
  title: 'Portcullis AdmissionPolicy (portcullis.dev/v1alpha1)',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'portcullis.dev/v1alpha1' },
    kind: { const: 'AdmissionPolicy' },
    metadata: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 63 },
        labels: { $ref: '#/$defs/stringMap' },
        annotations: { $ref: '#/$defs/stringMap' },
      },
    },
    spec: {
      type: 'object',
      required: ['match'],
      additionalProperties: false,
      anyOf: [{ required: ['rules'] }, { required: ['mutations'] }],
      properties: {
        description: { type: 'string' },
        match: { $ref: '#/$defs/match' },
        rules: { type: 'array', minItems: 1, maxItems: 100, items: { $ref: '#/$defs/rule' } },
        mutations: { type: 'array', minItems: 1, maxItems: 100, items: { $ref: '#/$defs/mutation' } },
      },
    },
  },
  $defs: {
    stringMap: { type: 'object', additionalProperties: { type: 'string' } },
    stringList: { type: 'array', items: { type: 'string' } },
    nonEmptyStringList: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    ruleName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    cel: { type: 'string', minLength: 1, maxLength: 5000 },
    fieldPath: { type: 'string', minLength: 1, maxLength: 512 },
    nameSet: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { names: { $ref: '#/$defs/stringList' }, patterns: { $ref: '#/$defs/stringList' } },
    },
    userSet: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { usernames: { $ref: '#/$defs/stringList' }, groups: { $ref: '#/$defs/stringList' } },
    },
    labelSelector: {
      type: 'object',
      additionalProperties: false,
      properties: {
        matchLabels: { $ref: '#/$defs/stringMap' },
        matchExpressions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'operator'],
            additionalProperties: false,
            properties: {
              key: { type: 'string', minLength: 1 },
              operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
              values: { $ref: '#/$defs/stringList' },
            },
          },
        },
      },
    },
    resourceMatch: {
      type: 'object',
      required: ['apiGroups'],
      additionalProperties: false,
      anyOf: [{ required: ['kinds'] }, { required: ['resources'] }],
      properties: {
        apiGroups: { $ref: '#/$defs/stringList', minItems: 1 },
        apiVersions: { $ref: '#/$defs/nonEmptyStringList' },
        kinds: { $ref: '#/$defs/nonEmptyStringList' },
        resources: { $ref: '#/$defs/nonEmptyStringList' },
      },
    },
    match: {
      type: 'object',
      required: ['resources'],
      additionalProperties: false,
      properties: {
        resources: { type: 'array', minItems: 1, items: { $ref: '#/$defs/resourceMatch' } },
        operations: { type: 'array', minItems: 1, items: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'] } },
        subresources: { $ref: '#/$defs/stringList', minItems: 1 },
        namespaces: { $ref: '#/$defs/nameSet' },
        excludeNamespaces: { $ref: '#/$defs/nameSet' },
        objectSelector: { $ref: '#/$defs/labelSelector' },
        users: { $ref: '#/$defs/userSet' },
        excludeUsers: { $ref: '#/$defs/userSet' },
        condition: { $ref: '#/$defs/cel' },
      },
    },
    keyRequirement: {
      type: 'object',
      required: ['key'],
      additionalProperties: false,
      properties: { key: { type: 'string', minLength: 1 }, pattern: { type: 'string' } },
    },
    keyRules: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        required: { type: 'array', items: { $ref: '#/$defs/keyRequirement' } },
        forbidden: { $ref: '#/$defs/nonEmptyStringList' },
      },
    },
    metadataRule: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { pattern: { type: 'string' }, maxLength: { type: 'integer', minimum: 1 } },
        },
        labels: { $ref: '#/$defs/keyRules' },
        annotations: { $ref: '#/$defs/keyRules' },
        finalizers: {
          type: 'object',
          required: ['allowed'],
          additionalProperties: false,
          properties: { allowed: { $ref: '#/$defs/stringList' } },
        },
        ownerReferences: {
          type: 'object',
          required: ['requiredKinds'],
          additionalProperties: false,
          properties: { requiredKinds: { $ref: '#/$defs/nonEmptyStringList' } },
        },
      },
    },
    celRule: {
      type: 'object',
      required: ['expression'],
      additionalProperties: false,
      not: { required: ['message', 'messageExpression'] },
      properties: {
        expression: { $ref: '#/$defs/cel' },
        message: { type: 'string', minLength: 1 },
        messageExpression: { $ref: '#/$defs/cel' },
        reason: { enum: ['Invalid', 'Forbidden'] },
        fieldPath: { $ref: '#/$defs/fieldPath' },
        operations: { type: 'array', minItems: 1, items: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'] } },
      },
    },
    rule: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      oneOf: [
        { required: ['metadata'] },
        { required: ['immutable'] },
        { required: ['schema'] },
        { required: ['cel'] },
        { required: ['deleteProtection'] },
      ],
      properties: {
        name: { $ref: '#/$defs/ruleName' },
        action: { enum: ['Deny', 'Warn', 'Audit'] },
        message: { type: 'string', minLength: 1 },
        auditKey: { type: 'string', pattern: '^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$', maxLength: 63 },
        metadata: { $ref: '#/$defs/metadataRule' },
        immutable: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['path'],
            additionalProperties: false,
            properties: { path: { $ref: '#/$defs/fieldPath' }, onceSet: { type: 'boolean' } },
          },
        },
        schema: { type: 'object' },
        cel: { $ref: '#/$defs/celRule' },
        deleteProtection: {
          type: 'object',
          additionalProperties: false,
          oneOf: [{ required: ['annotation'] }, { required: ['label'] }],
          properties: { annotation: { type: 'string', minLength: 1 }, label: { type: 'string', minLength: 1 }, value: { type: 'string' } },
        },
      },
    },
    mutation: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      anyOf: [{ required: ['defaults'] }, { required: ['labels'] }, { required: ['annotations'] }],
      properties: {
        name: { $ref: '#/$defs/ruleName' },
        createOnly: { type: 'boolean' },
        defaults: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['path'],
            additionalProperties: false,
            oneOf: [{ required: ['value'] }, { required: ['expression'] }],
            properties: { path: { $ref: '#/$defs/fieldPath' }, value: {}, expression: { $ref: '#/$defs/cel' } },
          },
        },
        labels: { $ref: '#/$defs/stringMap' },
        annotations: { $ref: '#/$defs/stringMap' },
      },
    },
  },
} as const;
