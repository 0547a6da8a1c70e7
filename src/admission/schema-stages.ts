import type { JsonObject } from '../kube/types.js';
import type { CrdRegistry } from '../schema/crd-registry.js';
import { unknownFieldWarning } from '../schema/pruning.js';
import type { AdmissionRequest } from './review.js';
import { emptyOutcome } from './stage.js';
import type { Mutator, StageOutcome, Validator } from './stage.js';

/** SchemaStageOptions configures the schema stages. */
export interface SchemaStageOptions {
  crds: CrdRegistry;
  /** maxErrors bounds the field errors reported per request; default 100. */
  maxErrors?: number;
}

/**
 * createSchemaDefaulter returns the mutator that applies the CRD schema's
 * defaults to objects of kinds a loaded CRD serves, on CREATE and UPDATE.
 */
export function createSchemaDefaulter(options: SchemaStageOptions): Mutator {
  return {
    name: 'schema-defaults',
    mutate(request: AdmissionRequest, object: JsonObject): StageOutcome {
      if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return emptyOutcome();
      options.crds.lookup(request.kind)?.defaulter?.(object);
      return emptyOutcome();
    },
  };
}

/**
 * createSchemaValidator returns the validator that checks objects of kinds a
 * loaded CRD serves against that version's openAPIV3Schema, on CREATE and
 * UPDATE (with ratcheting against oldObject). Kinds with no CRD pass.
 * Fields the apiserver would prune are reported as warnings, never removed.
 */
export function createSchemaValidator(options: SchemaStageOptions): Validator {
  return {
    name: 'schema',
    validate(request: AdmissionRequest, object: JsonObject | null): StageOutcome {
      if (object === null || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return emptyOutcome();
      const compiled = options.crds.lookup(request.kind);
      if (!compiled?.validator) return emptyOutcome();
      const oldObject = request.operation === 'UPDATE' ? request.oldObject : null;
      const result = compiled.validator.validate(object, { oldObject, maxErrors: options.maxErrors });
      const warnings = (compiled.unknownFields?.(object) ?? []).map(unknownFieldWarning);
      return { ...emptyOutcome(), warnings, violations: result.errors.map((error) => ({ kind: 'field' as const, error })), truncated: result.truncated };
    },
  };
}
