import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import { compilePruner, compileUnknownFieldFinder } from './pruning.js';
import type { Schema } from './structural.js';

/**
 * DecodedView is an object as the apiserver holds it once decoded: unknown
 * fields pruned, non-nullable nulls without a default dropped. `unknownFields`
 * names what pruning removed (reported as warnings, never patched away).
 */
export interface DecodedView {
  object: JsonObject;
  unknownFields: string[];
}

/** DecodedViewer builds the DecodedView of an object; the input is left alone, and returned as is when decoding changes nothing. */
export type DecodedViewer = (object: JsonObject) => DecodedView;

/**
 * compileDecodedView mirrors what apiextensions-apiserver's schema coercer
 * does to a custom resource while decoding it, before defaulting and
 * validation: structural pruning, then PruneNonNullableNullsWithoutDefaults
 * (a `null` map entry whose schema is neither nullable nor defaulted is
 * removed; list items and fields without a schema keep their nulls).
 * Validation, CEL rules and ratcheting all run on this view, so a count
 * (`minProperties`), a list's uniqueness or `self == oldSelf` never sees a
 * field the apiserver would have dropped.
 */
export function compileDecodedView(schema: Schema): DecodedViewer {
  const prune = compilePruner(schema);
  const findUnknown = compileUnknownFieldFinder(schema);
  return (object) => {
    // Most objects have nothing to drop: then the view is the object itself, not a copy.
    if (findUnknown(object).length === 0 && !hasNonNullableNull(object, schema)) return { object, unknownFields: [] };
    const view = prune(object);
    dropNonNullableNulls(view.object, schema);
    return view;
  };
}

function hasNonNullableNull(value: JsonValue, schema: Schema | undefined): boolean {
  if (isJsonObject(value)) {
    return Object.keys(value).some((key) => {
      const sub = fieldSchema(schema, key);
      if (value[key] === null) return sub !== undefined && sub.nullable !== true && sub.default === undefined;
      return hasNonNullableNull(value[key] as JsonValue, sub);
    });
  }
  return Array.isArray(value) && value.some((item) => hasNonNullableNull(item, schema?.items));
}

function fieldSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (schema === undefined) return undefined;
  if (schema.properties !== undefined && hasOwn(schema.properties, key)) return schema.properties[key];
  return isJsonObject(schema.additionalProperties as JsonValue) ? (schema.additionalProperties as Schema) : undefined;
}

/** dropNonNullableNulls removes, in place, the nulls the apiserver drops while decoding. */
export function dropNonNullableNulls(value: JsonValue, schema: Schema | undefined): void {
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      const sub = fieldSchema(schema, key);
      if (value[key] === null && sub !== undefined && sub.nullable !== true && sub.default === undefined) delete value[key];
      else dropNonNullableNulls(value[key] as JsonValue, sub);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) dropNonNullableNulls(item, schema?.items);
  }
}
