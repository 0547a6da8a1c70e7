import type { Logger } from 'pino';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { ApiClient } from './api-client.js';
import type { Binding } from './binding.js';
import { compileFilter } from './binding-filter.js';
import { claimName, desiredClaim, finalizerFor, sourceKeyOfClaim } from './claim.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import type { EventRecorder } from './events.js';
import { mergePatchFor, reflectStatus } from './field-copy.js';
import type { Informer } from './informer.js';
import { TerminalError, type Reconciler } from './run-loop.js';
import { createMergePatch, isSubset } from './merge-patch.js';
import { finalizersOf, isBeingDeleted, nameOf, resourceVersionOf, stringMapOf, uidOf } from '../kube/object-meta.js';
import { objectKey, splitKey } from '../kube/object-key.js';

/**
 * The reconciler of one binding: `reconcile(sourceKey)` makes the world match
 * the source object as seen in the cache. It is idempotent and writes nothing
 * when nothing changed; every write's response is fed back into the cache
 * (`assume`) so that the next sync does not act on a stale copy.
 */

/** ReconcilerOptions configures createReconciler. */
export interface ReconcilerOptions {
  binding: Binding;
  client: ApiClient;
  /** sources is the informer of the binding's source kind. */
  sources: Informer;
  /** claims is the informer of the binding's CRs, with a `source` index on SOURCE_ANNOTATION. */
  claims: Informer;
  recorder: EventRecorder;
  logger: Logger;
}

/** createReconciler returns the reconciler of one binding. */
export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { binding, client, sources, claims, recorder, logger } = options;
  const matches = compileFilter(binding.filter);
  const finalizer = finalizerFor(binding);
  const { source: srcRes, target: crRes } = binding;

  async function setFinalizers(src: JsonObject, finalizers: string[]): Promise<JsonObject> {
    // resourceVersion makes the patch conditional: a stale cache yields 409 and a retry, never a lost finalizer.
    const patch = { metadata: { finalizers, resourceVersion: resourceVersionOf(src) } };
    const updated = await client.patch(srcRes, splitKey(objectKey(src)).namespace, nameOf(src), patch, { type: 'merge' });
    sources.assume(updated);
    return updated;
  }

  async function deleteClaim(claim: JsonObject, src: JsonObject | undefined, why: string): Promise<boolean> {
    let remaining: JsonObject | undefined;
    try {
      remaining = await client.delete(crRes, '', nameOf(claim), { uid: uidOf(claim) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (remaining) {
      claims.assume(remaining);
      return false;
    }
    claims.forget(claim);
    if (src) await recorder.record({ resource: srcRes, object: src, type: 'Normal', reason: 'Deleted', message: `deleted ${crRes.kind} ${nameOf(claim)}: ${why}` });
    return true;
  }

  // Names found taken by a CR that is not ours (the label-selected cache never sees it): checked with a
  // read before the next create, so a resync of such a source writes nothing.
  const takenByOthers = new Set<string>();

  async function readClaim(name: string): Promise<JsonObject | undefined> {
    try {
      return await client.get(crRes, '', name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** createClaim creates the CR, or returns the one already there when the cache is behind the API (or it is not ours). */
  async function createClaim(src: JsonObject, desired: JsonObject, name: string): Promise<JsonObject> {
    if (takenByOthers.has(name)) {
      const existing = await readClaim(name);
      if (existing && sourceKeyOfClaim(existing) !== objectKey(src)) return existing;
      takenByOthers.delete(name);
      if (existing) return existing;
    }
    try {
      const created = await client.create(crRes, desired);
      claims.assume(created);
      await recorder.record({ resource: srcRes, object: src, type: 'Normal', reason: 'Created', message: `created ${crRes.kind} ${name}` });
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Our cache is behind the API (the create's watch event is still in flight), or the name is taken.
      const existing = await readClaim(name);
      if (!existing) throw err;
      if (sourceKeyOfClaim(existing) === objectKey(src)) claims.assume(existing);
      else takenByOthers.add(name);
      return existing;
    }
  }

  async function ensureClaim(src: JsonObject, name: string): Promise<JsonObject> {
    const desired = desiredClaim(binding, src, name);
    const current = claims.get(name) ?? (await createClaim(src, desired, name));
    const owner = sourceKeyOfClaim(current);
    if (owner !== objectKey(src)) {
      throw new TerminalError(`${crRes.kind} ${name} already exists and belongs to ${owner ?? 'nobody we know'}`);
    }
    const wantMeta = desired.metadata as JsonObject;
    const labels = stringMapOf(current, 'labels');
    const labelPatch: JsonObject = {};
    for (const [k, v] of Object.entries(wantMeta.labels as Record<string, string>)) if (labels[k] !== v) labelPatch[k] = v;
    // Fields the server (or a defaulting webhook) added are not a difference; see isSubset.
    const specStale = !isSubset(desired.spec, current.spec ?? {});
    if (Object.keys(labelPatch).length === 0 && !specStale) return current;
    const specPatch = specStale ? createMergePatch((current.spec ?? {}) as JsonValue, desired.spec as JsonValue) : undefined;
    const patch: JsonObject = { metadata: { resourceVersion: resourceVersionOf(current), labels: labelPatch } };
    if (specPatch !== undefined) patch.spec = specPatch;
    const updated = await client.patch(crRes, '', name, patch, { type: 'merge' });
    claims.assume(updated);
    await recorder.record({ resource: crRes, object: updated, type: 'Normal', reason: 'Updated', message: `updated from ${srcRes.kind} ${objectKey(src)}` });
    return updated;
  }

  async function reflect(src: JsonObject, claim: JsonObject | undefined): Promise<void> {
    const changed = reflectStatus(src, claim, binding.statusReflection).filter((f) =>
      f.desired === undefined ? f.current !== undefined : !isSubset(f.desired, f.current),
    );
    if (changed.length === 0) return;
    const { namespace } = splitKey(objectKey(src));
    const updated = await client.patch(srcRes, namespace, nameOf(src), mergePatchFor(changed), { type: 'merge', subresource: 'status' });
    sources.assume(updated);
    const fields = changed.map((f) => f.path).join(', ');
    const message = `copied ${fields} from ${crRes.kind} ${claim ? nameOf(claim) : '(none)'}`;
    await recorder.record({ resource: srcRes, object: updated, type: 'Normal', reason: 'StatusReflected', message });
  }

  /** whyDelete says why a claim of src (or of a gone source) is deleted, for the Deleted event. */
  const whyDelete = (src: JsonObject | undefined, wanted: boolean): string =>
    !src ? 'source is gone' : isBeingDeleted(src) ? 'source is being deleted' : wanted ? 'name rule changed' : 'source no longer matches';

  /** release undoes what the binding did to a source that no longer matches (or is being deleted). */
  async function release(key: string, src: JsonObject, claimsPending: boolean): Promise<void> {
    // Keep the finalizer until every CR is really gone; its delete event brings us back.
    if (!claimsPending && finalizersOf(src).includes(finalizer)) {
      await setFinalizers(src, finalizersOf(src).filter((f) => f !== finalizer));
    }
    // A source that stops matching also gives back what we reflected into it.
    if (!isBeingDeleted(src)) await reflect(sources.get(key) ?? src, undefined);
  }

  // No result ever asks for requeueAfter: every wait (a claim held by its finalizers, a name taken)
  // ends with a watch event or the resync, which enqueue the source again.
  return {
    async reconcile(key) {
      const src = sources.get(key);
      const { namespace, name } = splitKey(key);
      const wanted = src !== undefined && !isBeingDeleted(src) && matches(src);
      const expected = claimName(namespace, name, binding.nameMaxLength);
      let pending = false;
      for (const claim of claims.byIndex('source', key)) {
        if (wanted && nameOf(claim) === expected) continue;
        if (!(await deleteClaim(claim, src, whyDelete(src, wanted)))) pending = true;
      }
      if (!src) {
        takenByOthers.delete(expected);
        return {};
      }
      if (!wanted) {
        await release(key, src, pending);
        return {};
      }
      let current = src;
      if (!finalizersOf(src).includes(finalizer)) current = await setFinalizers(src, [...finalizersOf(src), finalizer]);
      const claim = await ensureClaim(current, expected);
      await reflect(sources.get(key) ?? current, claim);
      logger.debug({ key }, 'reconciled');
      return {};
    },
  };
}
