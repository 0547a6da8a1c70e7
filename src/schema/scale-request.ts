import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import { compileValidator } from './compile-validator.js';
import type { CompileOptions, ValidationResult } from './compile-validator.js';
import { splitPath } from './scale.js';
import type { ScaleSubresource } from './scale.js';
import type { Schema } from './structural.js';

/** ScaleValidator judges a /scale update from the autoscaling/v1 Scale objects the webhook receives. */
export type ScaleValidator = (scale: JsonObject, oldScale: JsonObject | null, maxErrors?: number) => ValidationResult;

/**
 * compileScaleValidator validates a /scale update as far as the Scale object
 * allows. The apiserver writes `spec.replicas` of the Scale (an int32) into
 * the custom resource at `specReplicasPath` and validates the resource as a
 * main-resource update, ratcheted against the old one. Everything else in
 * the resource is unchanged, so ratcheting drops its errors; what remains is
 * the replicas field: its schema (with its own CEL rules) and the scale
 * checks (`.spec.replicas: Invalid value: -1: should be a non-negative
 * integer`). Rules of the replicas field's ancestors that read other fields
 * can't be evaluated from a Scale and are not run.
 */
export function compileScaleValidator(schema: Schema, scale: ScaleSubresource, options: Pick<CompileOptions, 'extensions' | 'onUnsupported'>): ScaleValidator {
  const fields = splitPath(scale.specReplicasPath);
  const validator = compileValidator(pathSchema(schema, fields), { extensions: options.extensions, onUnsupported: options.onUnsupported, scale: { specReplicasPath: scale.specReplicasPath, statusReplicasPath: '' }, decode: true });
  return (scaleObject, oldScale, maxErrors) => {
    const object = withReplicas(replicasOf(scaleObject), fields);
    const oldObject = oldScale === null ? null : withReplicas(replicasOf(oldScale), fields);
    return validator.validate(object, { oldObject, maxErrors });
  };
}

/** pathSchema keeps, of the resource's schema, only the objects leading to the replicas field, and that field's schema whole. */
function pathSchema(schema: Schema, fields: readonly string[]): Schema {
  if (fields.length === 0) return schema;
  const [head, ...rest] = fields as [string, ...string[]];
  const child = schema.properties !== undefined && hasOwn(schema.properties, head) ? schema.properties[head] : isJsonObject(schema.additionalProperties as JsonValue) ? (schema.additionalProperties as Schema) : {};
  return { type: 'object', properties: { [head]: pathSchema(child ?? {}, rest) } };
}

/** replicasOf reads Scale.spec.replicas as the apiserver decodes it (an int32; absent is 0). */
function replicasOf(scale: JsonObject): number {
  const spec = scale['spec'];
  const replicas = isJsonObject(spec) ? spec['replicas'] : undefined;
  return typeof replicas === 'number' ? replicas : 0;
}

function withReplicas(replicas: number, fields: readonly string[]): JsonObject {
  let value: JsonValue = replicas;
  for (const field of [...fields].reverse()) value = { [field]: value };
  return value as JsonObject;
}
