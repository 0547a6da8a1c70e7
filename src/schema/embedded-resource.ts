import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import type { ValidationPass } from './compile-validator.js';
import { isDns1035Label, objectMetaShapeError, validateEmbeddedObjectMeta } from './object-meta.js';
import type { Schema } from './structural.js';
import { addError } from './validator-context.js';
import type { Check } from './validator-context.js';

/**
 * embeddedResourcePass checks every `x-kubernetes-embedded-resource` object
 * as apiextensions-apiserver's objectmeta.Validate does: apiVersion and kind
 * are required strings (kind a mixed-case DNS-1035 label, apiVersion a valid
 * group/version), and metadata, when present, passes ObjectMeta validation.
 * Like the apiserver, it does not ratchet.
 */
export const embeddedResourcePass: ValidationPass = {
  name: 'embedded-resource',
  ratchet: 'none',
  compile: compileEmbedded,
};

function compileEmbedded(schema: Schema): Check | null {
  if (schema['x-kubernetes-embedded-resource'] !== true) return null;
  return (value, _old, path, ctx) => {
    if (!isJsonObject(value)) return;
    if (!hasOwn(value, 'apiVersion')) addError(ctx, { type: 'Required', field: path.child('apiVersion').toString() });
    if (!hasOwn(value, 'kind')) addError(ctx, { type: 'Required', field: path.child('kind').toString() });
    if (hasOwn(value, 'apiVersion')) {
      const v = value['apiVersion'] ?? null;
      const field = path.child('apiVersion').toString();
      if (typeof v !== 'string') addError(ctx, { type: 'Invalid', field, badValue: v, detail: 'must be a string' });
      else if (v === '') addError(ctx, { type: 'Invalid', field, badValue: v, detail: 'must not be empty' });
      else if (v.split('/').length > 2) addError(ctx, { type: 'Invalid', field, badValue: v, detail: `unexpected GroupVersion string: ${v}` });
    }
    if (hasOwn(value, 'kind')) {
      const v = value['kind'] ?? null;
      const field = path.child('kind').toString();
      if (typeof v !== 'string') addError(ctx, { type: 'Invalid', field, badValue: v, detail: 'must be a string' });
      else if (v === '') addError(ctx, { type: 'Invalid', field, badValue: v, detail: 'must not be empty' });
      else {
        const errs = isDns1035Label(v.toLowerCase());
        if (errs.length > 0) addError(ctx, { type: 'Invalid', field, badValue: v, detail: `may have mixed case, but should otherwise match: ${errs.join(',')}` });
      }
    }
    if (hasOwn(value, 'metadata')) {
      const meta = value['metadata'] ?? null;
      const field = path.child('metadata').toString();
      const shape = objectMetaShapeError(meta);
      if (shape !== null) addError(ctx, { type: 'Invalid', field, badValue: meta, detail: shape });
      else if (isJsonObject(meta)) for (const e of validateEmbeddedObjectMeta(meta, field)) addError(ctx, e);
    }
  };
}
