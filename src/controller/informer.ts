import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import type { ApiClient, ResourceRef, WatchEvent } from './api-client.js';
import { sleep, type Clock } from './clock.js';
import { errorMessage } from '../kube/errors.js';
import { isGone } from './errors.js';
import { resourceVersionOf, uidOf } from '../kube/object-meta.js';
import { objectKey } from '../kube/object-key.js';
import { compareResourceVersions, isNotNewerResourceVersion, isOlderResourceVersion } from './resource-version.js';

/**
 * A supervised list+watch cache (client-go's reflector + indexer). Unlike the
 * client library's informer it never stops on its own: any watch error, a 410
 * Gone or a dropped connection (API server restart) leads to a fresh list,
 * after an exponential backoff (800 ms..30 s like client-go), whose diff
 * against the cache is delivered as add/update/delete so nothing is missed.
 *
 * The cache never goes back in time: an object is never replaced by one of
 * an older resourceVersion, whether it comes from a watch event, a relist or
 * a write response (`assume`), and a write response the watch has already
 * overtaken is dropped. See docs/controller.md, "Cache rules".
 */

/** InformerHandlers receive cache changes; they should only enqueue keys. */
export interface InformerHandlers {
  onAdd?(obj: JsonObject): void;
  onUpdate?(oldObj: JsonObject, newObj: JsonObject): void;
  onDelete?(obj: JsonObject): void;
}

/** Informer is a read-only cache of one resource kept current by list+watch. */
export interface Informer {
  /** start begins listing and watching in the background; resolves at once. */
  start(): void;
  /** stop ends the watch and the supervision loop; resolves once it has ended. */
  stop(): Promise<void>;
  /** synced resolves after the first complete list has been delivered (or when stopped). */
  synced(): Promise<void>;
  /** hasSynced tells whether the first list has been delivered. */
  hasSynced(): boolean;
  /** get returns the cached object for key (`namespace/name` or `name`); never mutate it. */
  get(key: string): JsonObject | undefined;
  /** list returns every cached object; never mutate them. */
  list(): JsonObject[];
  /** addHandlers registers handlers; call before start. */
  addHandlers(handlers: InformerHandlers): void;
  /**
   * assume stores an object this process has just written (the API's response)
   * so that syncs before the watch delivers it do not act on a stale copy. It
   * is dropped (returns false) when the cache already holds that version or a
   * newer one: the cached copy, or the watch stream, is ahead of the response.
   */
  assume(obj: JsonObject): boolean;
  /**
   * forget drops an object this process has just deleted (the object as it
   * was before the delete). A namesake with another uid, created since and
   * already cached, is kept.
   */
  forget(deleted: JsonObject): void;
  /** byIndex returns the cached objects whose indexer (see InformerOptions.indexers) produced value. */
  byIndex(index: string, value: string): JsonObject[];
}

/** IndexFn maps an object to the values it is indexed under. */
export type IndexFn = (obj: JsonObject) => string[];

/** InformerOptions configures createInformer. */
export interface InformerOptions {
  client: ApiClient;
  resource: ResourceRef;
  clock: Clock;
  logger: Logger;
  /** labelSelector restricts the list and watch. */
  labelSelector?: string;
  /** initialBackoffMs is the first wait after a failure; default 800 ms. */
  initialBackoffMs?: number;
  /** maxBackoffMs caps the wait; default 30 s. */
  maxBackoffMs?: number;
  /**
   * transform may trim each object before it is cached (client-go's
   * TransformFunc), e.g. drop managedFields to save memory. It receives a
   * freshly decoded object it may modify, and must keep metadata intact.
   */
  transform?: (obj: JsonObject) => JsonObject;
  /** indexers name secondary indexes over the cache (client-go's Indexers). */
  indexers?: Record<string, IndexFn>;
  /** watchTimeoutSeconds asks the server to close each watch after this long; default 300 s. */
  watchTimeoutSeconds?: number;
}

type WatchOutcome = { rv: string; error: Error | null; gone: boolean };

/** createInformer returns an idle informer; nothing is requested before start. */
export function createInformer(options: InformerOptions): Informer {
  const { client, resource, clock, logger } = options;
  const initialBackoff = options.initialBackoffMs ?? 800;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const store = new Map<string, JsonObject>();
  const handlers: InformerHandlers[] = [];
  const abort = new AbortController();
  let stopWatch: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let hasSynced = false;
  // The revision up to which list+watch has delivered every change of this resource.
  let seenRv = '';
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));
  const log = logger.child({ resource: resource.resource });

  const indexers = options.indexers ?? {};
  const indexes = new Map<string, Map<string, Set<string>>>(Object.keys(indexers).map((n) => [n, new Map()]));

  function reindex(key: string, oldObj: JsonObject | undefined, newObj: JsonObject | undefined): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const index = indexes.get(name)!;
      for (const v of oldObj ? fn(oldObj) : []) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
      for (const v of newObj ? fn(newObj) : []) {
        if (!index.has(v)) index.set(v, new Set());
        index.get(v)!.add(key);
      }
    }
  }

  function put(key: string, obj: JsonObject | undefined): JsonObject | undefined {
    const old = store.get(key);
    if (obj) store.set(key, obj);
    else store.delete(key);
    reindex(key, old, obj);
    return old;
  }

  const emitAdd = (o: JsonObject): void => handlers.forEach((h) => h.onAdd?.(o));
  const emitUpdate = (a: JsonObject, b: JsonObject): void => handlers.forEach((h) => h.onUpdate?.(a, b));
  const emitDelete = (o: JsonObject): void => handlers.forEach((h) => h.onDelete?.(o));

  const transform = options.transform ?? ((o: JsonObject) => o);

  /** isStale tells whether obj is older than the cached copy of its key (which then wins). */
  const isStale = (obj: JsonObject): boolean => {
    const cached = store.get(objectKey(obj));
    return cached !== undefined && isOlderResourceVersion(resourceVersionOf(obj), resourceVersionOf(cached));
  };

  function upsert(raw: JsonObject): void {
    if (isStale(raw)) return;
    const obj = transform(raw);
    const old = put(objectKey(obj), obj);
    if (old) emitUpdate(old, obj);
    else emitAdd(obj);
  }

  function replace(items: JsonObject[], listRv: string): void {
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(objectKey(item));
      const old = store.get(objectKey(item));
      if (!old || resourceVersionOf(old) !== resourceVersionOf(item)) upsert(item);
    }
    for (const [key, old] of store) {
      if (seen.has(key)) continue;
      // Written by us after the list was taken: the watch from listRv will confirm or delete it.
      if (compareResourceVersions(resourceVersionOf(old), listRv) === 1) continue;
      put(key, undefined);
      emitDelete(old);
    }
    seenRv = listRv;
  }

  function apply(event: WatchEvent): void {
    if (event.type === 'ADDED' || event.type === 'MODIFIED') upsert(event.object);
    else if (event.type === 'DELETED') {
      // A namesake created after this deletion (and assumed) is newer: keep it.
      if (isStale(event.object)) return;
      const old = put(objectKey(event.object), undefined);
      emitDelete(old ?? event.object);
    }
  }

  function assume(obj: JsonObject): boolean {
    const rv = resourceVersionOf(obj);
    // The watch has delivered every change up to seenRv, so the cache holds this version or a newer one.
    if (isNotNewerResourceVersion(rv, seenRv)) return false;
    const cached = store.get(objectKey(obj));
    if (cached && isNotNewerResourceVersion(rv, resourceVersionOf(cached))) return false;
    put(objectKey(obj), transform(obj));
    return true;
  }

  function watchOnce(rv: string): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      const outcome: WatchOutcome = { rv, error: null, gone: false };
      let finished = false;
      const finish = (err: Error | null): void => {
        if (finished) return;
        finished = true;
        stopWatch = undefined;
        outcome.error = outcome.error ?? err;
        if (isGone(err)) outcome.gone = true;
        resolve(outcome);
      };
      const onEvent = (event: WatchEvent): void => {
        if (finished) return;
        if (event.type === 'ERROR') {
          const code = event.object.code;
          outcome.gone = code === 410;
          outcome.error = new Error(`watch error event: ${String(event.object.message ?? code)}`);
          handle.then((h) => h.stop(), () => {});
          finish(outcome.error);
          return;
        }
        outcome.rv = resourceVersionOf(event.object) || outcome.rv;
        if (event.type !== 'BOOKMARK') apply(event);
        seenRv = outcome.rv;
      };
      const handle = client.watch(
        resource,
        { resourceVersion: rv, labelSelector: options.labelSelector, timeoutSeconds: options.watchTimeoutSeconds ?? 300 },
        onEvent,
        finish,
      );
      // The handle arrives once the response headers do; stop() may have run meanwhile.
      handle.then(
        (h) => (finished || abort.signal.aborted ? h.stop() : (stopWatch = () => h.stop())),
        (err: unknown) => finish(err as Error),
      );
    });
  }

  async function watchUntilError(rv: string): Promise<{ error: Error; gone: boolean }> {
    let current = rv;
    while (!abort.signal.aborted) {
      const started = clock.now();
      const outcome = await watchOnce(current);
      current = outcome.rv;
      if (outcome.gone) return { error: outcome.error ?? new Error('watch resourceVersion gone'), gone: true };
      if (outcome.error) return { error: outcome.error, gone: false };
      // A clean close is a server-side timeout: resume from the last version, but a
      // watch the server ends at once is treated as a failure to avoid a hot loop.
      if (clock.now() - started < 1000 && !abort.signal.aborted) {
        return { error: new Error('watch closed immediately'), gone: false };
      }
    }
    return { error: new Error('stopped'), gone: false };
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!abort.signal.aborted) {
      try {
        const list = await client.list(resource, { labelSelector: options.labelSelector });
        if (abort.signal.aborted) break;
        replace(list.items, list.resourceVersion);
        if (!hasSynced) {
          hasSynced = true;
          markSynced();
        }
        failures = 0;
        const ended = await watchUntilError(list.resourceVersion);
        if (abort.signal.aborted) break;
        log.warn({ err: ended.error.message }, 'watch ended, relisting');
        if (ended.gone) continue; // relist at once: the version is merely too old
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'list failed');
      }
      const delay = Math.min(maxBackoff, initialBackoff * 2 ** failures);
      failures++;
      await sleep(clock, delay, abort.signal);
    }
  }

  return {
    start() {
      if (loop) return;
      loop = run();
    },
    async stop() {
      abort.abort();
      stopWatch?.();
      markSynced();
      await loop;
    },
    synced: () => syncedPromise,
    hasSynced: () => hasSynced,
    get: (key) => store.get(key),
    list: () => [...store.values()],
    addHandlers(h) {
      handlers.push(h);
    },
    assume,
    forget(deleted) {
      const key = objectKey(deleted);
      const cached = store.get(key);
      if (cached && uidOf(cached) === uidOf(deleted)) put(key, undefined);
    },
    byIndex(index, value) {
      const keys = indexes.get(index)?.get(value);
      return keys ? [...keys].map((k) => store.get(k)!).filter(Boolean) : [];
    },
  };
}
