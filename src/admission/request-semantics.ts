import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepCopy, hasOwn } from '../kube/safe-object.js';
import type { CompiledVersion } from '../schema/crd-registry.js';
import type { AdmissionRequest } from './review.js';

/**
 * ValidatedObject is what the apiserver validates for one admission request:
 * the object after its registry strategy prepared it, the old object, and
 * which validation applies (the main resource's, or the status
 * subresource's).
 */
export interface ValidatedObject {
  object: JsonObject;
  oldObject: JsonObject | null;
  subresource?: 'status';
}

/**
 * validatedObject applies the apiserver's request semantics that run after
 * mutating admission and before validation (apiextensions-apiserver
 * customResourceStrategy / statusStrategy, PrepareForCreate and
 * PrepareForUpdate), for a CRD version with its subresources:
 *
 * - CREATE with the status subresource: `status` is dropped (a create cannot set it);
 * - UPDATE of the main resource with the status subresource: the old
 *   `status` is put back (or the new one dropped when there was none);
 * - UPDATE of `/status`: the old object with the new `status` (and the new
 *   `metadata.managedFields`), validated as a status update;
 * - anything else (no status subresource, or another subresource): the object as it is.
 *
 * The object passed in is never changed. Validating webhooks already receive
 * the prepared object and mutating webhooks the object as sent; applying the
 * semantics twice changes nothing, so both paths call this. Returns null
 * for requests the schema does not judge (a subresource other than status).
 */
export function validatedObject(request: AdmissionRequest, object: JsonObject, compiled: CompiledVersion): ValidatedObject | null {
  const old = request.operation === 'UPDATE' && isJsonObject(request.oldObject) ? request.oldObject : null;
  const subresource = request.subResource ?? '';
  if (subresource === 'status') {
    if (!compiled.statusSubresource) return null;
    return { object: old === null ? object : statusUpdateOf(object, old), oldObject: old, subresource: 'status' };
  }
  if (subresource !== '') return null;
  if (!compiled.statusSubresource) return { object, oldObject: old };
  if (request.operation === 'CREATE' && hasOwn(object, 'status')) {
    const prepared = { ...object };
    delete prepared['status'];
    return { object: prepared, oldObject: null };
  }
  if (old !== null && (hasOwn(old, 'status') || hasOwn(object, 'status'))) {
    const prepared = { ...object };
    if (hasOwn(old, 'status')) prepared['status'] = old['status'] as JsonObject;
    else delete prepared['status'];
    return { object: prepared, oldObject: old };
  }
  return { object, oldObject: old };
}

/** statusUpdateOf is statusStrategy.PrepareForUpdate: the old object, with the new status and managedFields. */
function statusUpdateOf(object: JsonObject, old: JsonObject): JsonObject {
  const prepared = deepCopy(old);
  const newMeta = isJsonObject(object['metadata']) ? object['metadata'] : {};
  const meta = isJsonObject(prepared['metadata']) ? prepared['metadata'] : (prepared['metadata'] = {});
  if (hasOwn(newMeta, 'managedFields')) meta['managedFields'] = newMeta['managedFields'] as JsonObject;
  else delete meta['managedFields'];
  if (hasOwn(object, 'status')) prepared['status'] = object['status'] as JsonObject;
  else delete prepared['status'];
  return prepared;
}
