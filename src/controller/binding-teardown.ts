import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { ApiClient, ResourceRef } from './api-client.js';
import type { Binding } from './binding.js';
import { errorMessage } from '../kube/errors.js';
import { isNotFound } from './errors.js';
import { LEASES } from './leader-election.js';
import { finalizersOf, nameOf, namespaceOf, resourceVersionOf, stringMapOf, uidOf } from '../kube/object-meta.js';
import { BINDING_LABEL } from './claim.js';

/**
 * Clean-up after removed bindings. The leader records the active bindings
 * (name, source and target resources) in an annotation of its Lease. When a
 * new term starts with a binding missing from the configuration, it deletes
 * that binding's CRs and takes its finalizer off every source, then records
 * the new set. A failed clean-up keeps the old record, so the next term
 * retries it. Without leader election there is no record and no clean-up.
 */

/** BINDINGS_ANNOTATION on the Lease holds the JSON list of recorded bindings. */
export const BINDINGS_ANNOTATION = 'portcullis.dev/bindings';

/** RecordedBinding is what is remembered of a binding: enough to find what it made. */
export interface RecordedBinding {
  name: string;
  source: ResourceRef;
  target: ResourceRef;
}

function isRef(v: unknown): v is ResourceRef {
  return isJsonObject(v) && ['group', 'version', 'resource', 'kind'].every((k) => typeof v[k] === 'string');
}

/** parseRecord reads the annotation; anything malformed is ignored (returns what could be read). */
export function parseRecord(lease: JsonObject): RecordedBinding[] {
  const raw = stringMapOf(lease, 'annotations')[BINDINGS_ANNOTATION];
  if (!raw) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list.filter((b): b is RecordedBinding => isJsonObject(b) && typeof b.name === 'string' && isRef(b.source) && isRef(b.target));
  } catch {
    return [];
  }
}

/** TeardownOptions configures reconcileBindingRecord. */
export interface TeardownOptions {
  client: ApiClient;
  logger: Logger;
  bindings: Binding[];
  leaseNamespace: string;
  leaseName: string;
}

async function teardown(client: ApiClient, logger: Logger, old: RecordedBinding): Promise<void> {
  const finalizer = `portcullis.dev/${old.name}`;
  const claims = await client.list(old.target, { labelSelector: `${BINDING_LABEL}=${old.name}` });
  for (const claim of claims.items) {
    try {
      await client.delete(old.target, '', nameOf(claim), { uid: uidOf(claim) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const sources = await client.list(old.source);
  let released = 0;
  for (const src of sources.items) {
    if (!finalizersOf(src).includes(finalizer)) continue;
    const patch = { metadata: { finalizers: finalizersOf(src).filter((f) => f !== finalizer), resourceVersion: resourceVersionOf(src) } };
    await client.patch(old.source, namespaceOf(src), nameOf(src), patch, { type: 'merge' });
    released++;
  }
  logger.info({ binding: old.name, claims: claims.items.length, finalizers: released }, 'cleaned up after removed binding');
}

/**
 * reconcileBindingRecord tears down every recorded binding that is no longer
 * configured, then records the current set (only when it changed). Errors
 * are logged and leave the record as it was; they never stop the controller.
 */
export async function reconcileBindingRecord(options: TeardownOptions): Promise<void> {
  const { client, logger, bindings, leaseNamespace, leaseName } = options;
  try {
    const lease = await client.get(LEASES, leaseNamespace, leaseName);
    const recorded = parseRecord(lease);
    const current = new Set(bindings.map((b) => b.name));
    for (const old of recorded) if (!current.has(old.name)) await teardown(client, logger, old);
    const next: RecordedBinding[] = bindings.map((b) => ({ name: b.name, source: b.source, target: b.target }));
    const value = JSON.stringify(next);
    if (stringMapOf(lease, 'annotations')[BINDINGS_ANNOTATION] === value) return;
    await client.patch(LEASES, leaseNamespace, leaseName, { metadata: { annotations: { [BINDINGS_ANNOTATION]: value } } }, { type: 'merge' });
  } catch (err) {
    logger.warn({ err: errorMessage(err) }, 'binding clean-up failed; will retry next term');
  }
}
