import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepCopy, hasOwn, setOwn } from '../kube/safe-object.js';
import type { Schema } from './structural.js';

/** Defaulter fills schema defaults into an object in place. */
export type Defaulter = (object: JsonObject) => void;

type NodeDefaulter = (value: JsonValue) => void;

const ROOT_SKIPPED = new Set(['metadata', 'apiVersion', 'kind']);

/**
 * compileDefaulter compiles the apiserver's structural defaulting
 * (apiextensions-apiserver pkg/structuraldefaulting Default) for one schema:
 * a property's default is deep-copied in where the key is absent, or where
 * the value is null and the property is not nullable; defaulting then
 * recurses into every present value through properties, additionalProperties
 * and items, including values that were just defaulted. Unknown fields are
 * never touched. Returns null when the schema has no default anywhere, so
 * callers can skip the walk.
 */
export function compileDefaulter(schema: Schema): Defaulter | null {
  const root = compileNode(schema, true);
  if (root === null) return null;
  return (object) => root(object);
}

function compileNode(schema: Schema, isRoot = false): NodeDefaulter | null {
  const props: { name: string; fill: JsonValue | undefined; nullable: boolean; child: NodeDefaulter | null }[] = [];
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (isRoot && ROOT_SKIPPED.has(name)) continue;
    const child = compileNode(sub);
    if (sub.default !== undefined || child !== null) props.push({ name, fill: sub.default, nullable: sub.nullable === true, child });
  }
  const additionalSchema = isJsonObject(schema.additionalProperties as JsonValue) ? (schema.additionalProperties as Schema) : null;
  const additional = additionalSchema ? compileNode(additionalSchema) : null;
  const additionalFill = additionalSchema?.default;
  const itemsSchema = schema.items ?? null;
  const items = itemsSchema ? compileNode(itemsSchema) : null;
  const itemsFill = itemsSchema?.default;
  if (props.length === 0 && additional === null && additionalFill === undefined && items === null && itemsFill === undefined) return null;
  const known = new Set(Object.keys(schema.properties ?? {}));
  const itemsNullable = itemsSchema?.nullable === true;
  const additionalNullable = additionalSchema?.nullable === true;

  return (value) => {
    if (isJsonObject(value)) {
      for (const prop of props) {
        if (prop.fill !== undefined && (!hasOwn(value, prop.name) || (value[prop.name] === null && !prop.nullable))) {
          setOwn(value, prop.name, deepCopy(prop.fill));
        }
        if (prop.child !== null && hasOwn(value, prop.name)) prop.child(value[prop.name] as JsonValue);
      }
      if (additionalSchema) {
        for (const key of Object.keys(value)) {
          if (known.has(key)) continue;
          if (value[key] === null && additionalFill !== undefined && !additionalNullable) setOwn(value, key, deepCopy(additionalFill));
          if (additional) additional(value[key] as JsonValue);
        }
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null && itemsFill !== undefined && !itemsNullable) value[i] = deepCopy(itemsFill);
        if (items) items(value[i] as JsonValue);
      }
    }
  };
}
