import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import type { ValidationPass } from './compile-validator.js';
import { isDns1035Label } from '../kube/name-rules.js';
import { objectMetaDecodeError, validateEmbeddedObjectMeta } from '../kube/object-meta-validation.js';
import type { Schema } from './structural.js';
import { addError } from './validator-context.js';
import type { Check } from './validator-context.js';

/**
 * embeddedDecodePass is what the apiserver checks while decoding an object
 * (objectmeta.Coerce), before any validation: an embedded resource's
 * apiVersion and kind must be strings and its metadata must decode as
 * ObjectMeta. The apiserver then refuses the request with 400 BadRequest
 * (`<Kind> in version "<v>" cannot be handled as a <Kind>: <error>`) and
 * reports nothing else, so this pass runs first and alone.
 */
export const embeddedDecodePass: ValidationPass = {
  name: 'embedded-resource-decode',
  stage: 'decode',
  ratchet: 'none',
  compile: (schema) => (schema['x-kubernetes-embedded-resource'] === true ? checkDecodable : null),
};

const checkDecodable: Check = (value, _old, path, ctx) => {
  if (!isJsonObject(value)) return;
  for (const key of ['apiVersion', 'kind']) {
    if (hasOwn(value, key) && typeof value[key] !== 'string') {
      addError(ctx, { type: 'Invalid', field: path.child(key).toString(), badValue: value[key] ?? null, detail: 'must be a string' });
    }
  }
  if (hasOwn(value, 'metadata')) {
    const meta = value['metadata'] ?? null;
    const problem = meta === null ? null : objectMetaDecodeError(meta);
    if (problem !== null) addError(ctx, { type: 'Invalid', field: path.child('metadata').toString(), badValue: meta, detail: problem });
  }
};

/**
 * embeddedResourcePass checks every `x-kubernetes-embedded-resource` object
 * as apiextensions-apiserver's objectmeta.Validate does: apiVersion and kind
 * are required and non-empty (kind a mixed-case DNS-1035 label, apiVersion a
 * valid group/version), and metadata passes ObjectMeta validation. Like the
 * apiserver, it does not ratchet, and a /status update skips it.
 */
export const embeddedResourcePass: ValidationPass = {
  name: 'embedded-resource',
  ratchet: 'none',
  onStatusUpdate: false,
  compile: compileEmbedded,
};

function compileEmbedded(schema: Schema): Check | null {
  if (schema['x-kubernetes-embedded-resource'] !== true) return null;
  return (value, _old, path, ctx) => {
    if (!isJsonObject(value)) return;
    if (!hasOwn(value, 'apiVersion')) addError(ctx, { type: 'Required', field: path.child('apiVersion').toString() });
    if (!hasOwn(value, 'kind')) addError(ctx, { type: 'Required', field: path.child('kind').toString() });
    const apiVersion = value['apiVersion'];
    if (typeof apiVersion === 'string') {
      const field = path.child('apiVersion').toString();
      if (apiVersion === '') addError(ctx, { type: 'Invalid', field, badValue: apiVersion, detail: 'must not be empty' });
      else if (apiVersion.split('/').length > 2) addError(ctx, { type: 'Invalid', field, badValue: apiVersion, detail: `unexpected GroupVersion string: ${apiVersion}` });
    }
    const kind = value['kind'];
    if (typeof kind === 'string') {
      const field = path.child('kind').toString();
      if (kind === '') addError(ctx, { type: 'Invalid', field, badValue: kind, detail: 'must not be empty' });
      else {
        const errs = isDns1035Label(kind.toLowerCase());
        if (errs.length > 0) addError(ctx, { type: 'Invalid', field, badValue: kind, detail: `may have mixed case, but should otherwise match: ${errs.join(',')}` });
      }
    }
    const meta = value['metadata'];
    if (isJsonObject(meta)) for (const e of validateEmbeddedObjectMeta(meta, path.child('metadata').toString())) addError(ctx, e);
  };
}
