import type { JsonValue } from '../kube/types.js';

/**
 * Schema is an OpenAPI v3 schema node as a CRD's `openAPIV3Schema` holds it,
 * with the Kubernetes extensions. Only the keywords structural schemas may use
 * are listed; unknown keywords are ignored.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  title?: string;
  default?: JsonValue;
  nullable?: boolean;
  enum?: JsonValue[];
  pattern?: string;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** ValidationRule is one `x-kubernetes-validations` entry (a CEL rule). */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** jsonTypeOf names a JSON value's type the way go-openapi reports it. */
export function jsonTypeOf(value: JsonValue): 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/**
 * matchesSchemaType tells, without reporting, whether a value has the type a
 * node declares (any type for untyped, int-or-string and preserve-unknown
 * nodes; null only where nullable). Passes use it to skip values the schema
 * checks already rejected.
 */
export function matchesSchemaType(schema: Schema, value: JsonValue): boolean {
  if (value === null) return schema.nullable === true || schema.type === undefined;
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  if (schema.type === undefined) return true;
  const actual = jsonTypeOf(value);
  return actual === schema.type || (schema.type === 'number' && actual === 'integer');
}
