import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonValue } from '../kube/types.js';
import { pointerToDisplay } from '../kube/object-path.js';
import { POLICY_JSON_SCHEMA } from './policy-schema.js';
import type { PolicyDocument } from './types.js';

/** DocumentProblem is the first thing wrong with a policy document: where and what. */
export interface DocumentProblem {
  field: string;
  message: string;
}

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // Compiled on first use, not at import (no work at import time).
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(POLICY_JSON_SCHEMA);
  return validate;
}

function describe(error: ErrorObject): DocumentProblem {
  const field = pointerToDisplay(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { field: field === '' ? String(params['additionalProperty']) : `${field}.${String(params['additionalProperty'])}`, message: 'unknown field' };
    case 'required':
      return { field: field === '' ? String(params['missingProperty']) : `${field}.${String(params['missingProperty'])}`, message: 'required field is missing' };
    case 'enum':
      return { field, message: `must be one of: ${(params['allowedValues'] as unknown[]).join(', ')}` };
    case 'const':
      return { field, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'oneOf':
      if (/^spec\.rules\[\d+\]$/.test(field)) return { field, message: 'must set exactly one of metadata, immutable, schema, cel, deleteProtection' };
      if (/\.deleteProtection$/.test(field)) return { field, message: 'must set exactly one of annotation, label' };
      if (/\.defaults\[\d+\]$/.test(field)) return { field, message: 'must set exactly one of value, expression' };
      return { field, message: error.message ?? 'is invalid' };
    case 'anyOf':
      if (field === 'spec') return { field, message: 'must have rules or mutations' };
      if (/\.resources\[\d+\]$/.test(field)) return { field, message: 'must name kinds or resources' };
      if (/^spec\.mutations\[\d+\]$/.test(field)) return { field, message: 'must set defaults, labels or annotations' };
      return { field, message: error.message ?? 'is invalid' };
    case 'not':
      return { field, message: 'set message or messageExpression, not both' };
    default:
      return { field, message: error.message ?? 'is invalid' };
  }
}

/**
 * checkPolicyDocument validates a parsed YAML document against
 * POLICY_JSON_SCHEMA; it returns null when valid, else the first problem
 * with the field to blame.
 */
export function checkPolicyDocument(value: JsonValue): DocumentProblem | null {
  const check = validator();
  if (check(value)) return null;
  const best = pickError(check.errors ?? []);
  return best ? describe(best) : { field: '', message: 'is invalid' };
}

const RANK: Record<string, number> = { additionalProperties: 0, required: 2, oneOf: 3, anyOf: 3, not: 3 };

/**
 * pickError chooses the most helpful of ajv's errors: failures inside
 * oneOf/anyOf branches are noise (the oneOf error itself says it better);
 * an unknown field (often a typo) beats a type or value error, which beats
 * a missing field, which beats a failed oneOf.
 */
export function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const useful = errors.filter((e) => !/\/(oneOf|anyOf|not)\/\d*/.test(e.schemaPath) || /\/(oneOf|anyOf|not)$/.test(e.schemaPath));
  const pool = useful.length > 0 ? useful : errors;
  let best: ErrorObject | undefined;
  for (const error of pool) {
    if (best === undefined || (RANK[error.keyword] ?? 1) < (RANK[best.keyword] ?? 1)) best = error;
  }
  return best;
}

/** asPolicyDocument types a value that checkPolicyDocument accepted. */
export function asPolicyDocument(value: JsonValue): PolicyDocument {
  return value as unknown as PolicyDocument;
}
