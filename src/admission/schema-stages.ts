import type { JsonObject } from '../kube/types.js';
import type { CompiledVersion, CrdRegistry } from '../schema/crd-registry.js';
import type { ValidationResult } from '../schema/compile-validator.js';
import { unknownFieldWarning } from '../schema/pruning.js';
import { validatedObject } from './request-semantics.js';
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
 * defaults to objects of kinds a loaded CRD serves, on CREATE and UPDATE of
 * the main resource and of /status (the apiserver defaults every object it
 * decodes, status included, before mutating admission).
 */
export function createSchemaDefaulter(options: SchemaStageOptions): Mutator {
  return {
    name: 'schema-defaults',
    mutate(request: AdmissionRequest, object: JsonObject): StageOutcome {
      if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return emptyOutcome();
      if (request.subResource !== undefined && request.subResource !== '' && request.subResource !== 'status') return emptyOutcome();
      options.crds.lookup(request.kind)?.defaulter?.(object);
      return emptyOutcome();
    },
  };
}

/**
 * createSchemaValidator returns the validator that checks objects of kinds a
 * loaded CRD serves as the apiserver does, on CREATE and UPDATE: first the
 * request semantics (validatedObject: status reset on create and
 * main-resource update, /status updates judged as status updates), then the
 * schema, scale fields, list types and CEL rules on the decoded view, with
 * ratcheting against oldObject. A /scale update (an autoscaling/v1 Scale,
 * found by its resource) is judged by the replicas field's schema and the
 * scale checks. Kinds with no CRD pass. Fields the apiserver would prune are
 * reported as warnings, never removed.
 */
export function createSchemaValidator(options: SchemaStageOptions): Validator {
  return {
    name: 'schema',
    validate(request: AdmissionRequest, object: JsonObject | null): StageOutcome {
      if (object === null || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return emptyOutcome();
      if (request.subResource === 'scale') return validateScale(options, request, object);
      const compiled = options.crds.lookup(request.kind);
      if (!compiled?.validator) return emptyOutcome();
      const prepared = validatedObject(request, object, compiled);
      if (prepared === null) return emptyOutcome();
      const result = compiled.validator.validate(prepared.object, { oldObject: prepared.oldObject, maxErrors: options.maxErrors, subresource: prepared.subresource });
      const warnings = (compiled.unknownFields?.(object) ?? []).map(unknownFieldWarning);
      return outcome(result, warnings);
    },
  };
}

function validateScale(options: SchemaStageOptions, request: AdmissionRequest, object: JsonObject): StageOutcome {
  const compiled: CompiledVersion | undefined = options.crds.lookupResource(request.resource);
  if (!compiled?.scaleValidator) return emptyOutcome();
  const old = request.operation === 'UPDATE' ? request.oldObject : null;
  return outcome(compiled.scaleValidator(object, old, options.maxErrors), []);
}

function outcome(result: ValidationResult, warnings: string[]): StageOutcome {
  return { ...emptyOutcome(), warnings, violations: result.errors.map((error) => ({ kind: 'field' as const, error })), truncated: result.truncated };
}
