import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { errorMessage } from '../kube/errors.js';
import { objectKey } from '../kube/object-key.js';
import { resourceVersionOf } from '../kube/object-meta.js';
import type { ApiClient } from './api-client.js';
import type { Binding } from './binding.js';
import { claimIndexers, claimSelector, sourceKeyOfClaim } from './claim.js';
import type { Clock } from './clock.js';
import type { EventRecorder } from './events.js';
import { createInformer } from './informer.js';
import type { ControllerMetrics } from './metrics.js';
import { createReconciler } from './reconciler.js';
import { runControlLoop, type QueueTuning } from './run-loop.js';

/**
 * One binding's wiring of the generic control loop (run-loop.ts) for one
 * leadership term: the source kind's informer (key: the object's own
 * `namespace/name`) and the binding's claims, selected by label (key: the
 * source recorded on the claim, so an orphan's source is looked at too: the
 * orphan sweep at start and on every resync), the binding reconciler, and
 * failures recorded as Warning events on the source.
 */

/** BindingControllerOptions configures runBindingController. */
export interface BindingControllerOptions extends QueueTuning {
  binding: Binding;
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  recorder: EventRecorder;
}

/** dropManagedFields trims server-side-apply bookkeeping the reconciler never reads (often half an object's size). */
function dropManagedFields(obj: JsonObject): JsonObject {
  if (isJsonObject(obj.metadata) && 'managedFields' in obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

/**
 * runBindingController runs one binding's loop until signal aborts (see
 * runControlLoop). `onSynced` is called once both caches have synced and the
 * sweep is queued.
 */
export async function runBindingController(options: BindingControllerOptions, signal: AbortSignal, onSynced?: () => void): Promise<void> {
  const { binding, client, clock, metrics, recorder } = options;
  const logger = options.logger.child({ binding: binding.name });
  const sources = createInformer({ client, clock, logger, resource: binding.source, transform: dropManagedFields });
  const claims = createInformer({
    client,
    clock,
    logger,
    resource: binding.target,
    transform: dropManagedFields,
    labelSelector: claimSelector(binding),
    indexers: claimIndexers,
  });
  const reconciler = createReconciler({ binding, client, sources, claims, recorder, logger });

  // The last terminal failure per key (source version + message): a resync that fails the same way on an
  // unchanged source records nothing, so a terminal error makes one Failed event, not one per resync.
  const lastTerminal = new Map<string, string>();
  async function recordFailure(key: string, err: unknown, terminal: boolean): Promise<void> {
    const src = sources.get(key);
    if (!src) return;
    const message = errorMessage(err);
    if (terminal) {
      const signature = `${resourceVersionOf(src)}\u0000${message}`;
      if (lastTerminal.get(key) === signature) return;
      lastTerminal.set(key, signature);
    }
    await recorder.record({ resource: binding.source, object: src, type: 'Warning', reason: 'Failed', message });
  }

  await runControlLoop(
    {
      ...options,
      name: binding.name,
      logger,
      reconciler,
      sources: [
        { informer: sources, keysOf: (obj) => [objectKey(obj)] },
        { informer: claims, keysOf: (obj) => [sourceKeyOfClaim(obj) ?? ''].filter(Boolean) },
      ],
      onFailure: recordFailure,
      onSuccess: (key) => lastTerminal.delete(key),
    },
    signal,
    onSynced,
  );
}
