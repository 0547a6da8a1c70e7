import jsonpatch from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import { isJsonObject } from '../../../src/kube/types.js';
import { deepCopy } from '../../../src/kube/safe-object.js';
import type { ApiClient, ResourceRef, WatchEvent, WatchOptions } from '../../../src/controller/api-client.js';
import { ApiRequestError } from '../../../src/controller/errors.js';
import { finalizersOf, nameOf, namespaceOf, stringMapOf } from '../../../src/kube/object-meta.js';

/** Write is one mutating call recorded by the fake. */
export interface Write {
  verb: 'create' | 'update' | 'patch' | 'delete';
  resource: string;
  namespace: string;
  name: string;
  subresource?: string;
  body?: unknown;
}

interface Watcher {
  resource: string;
  selector?: string;
  onEvent: (e: WatchEvent) => void;
  onDone: (err: Error | null) => void;
  stopped: boolean;
}

/** FakeApiClient is an in-memory API server with resourceVersions, finalizers, watches and fault injection. */
export interface FakeApiClient extends ApiClient {
  writes: Write[];
  /** seed stores an object directly (no write recorded, watchers notified). */
  seed(resource: ResourceRef, obj: JsonObject): JsonObject;
  /** read returns the stored object or undefined. */
  read(resource: ResourceRef, namespace: string, name: string): JsonObject | undefined;
  /** all returns every stored object of a resource. */
  all(resource: ResourceRef): JsonObject[];
  /** breakWatches ends every open watch with err (or cleanly with null). */
  breakWatches(err: Error | null): void;
  /** failNext makes the next n calls of verb (on resource, if given) reject with the given status. */
  failNext(verb: string, n: number, status?: number, resource?: string): void;
  /** compact forgets history so watches from older versions get 410 Gone. */
  compact(): void;
  /**
   * holdWatchEvents queues watch events instead of delivering them (a lagging
   * watch stream); releaseWatchEvents(n) delivers the oldest n (default all), in order.
   */
  holdWatchEvents(): void;
  releaseWatchEvents(n?: number): number;
  /** heldWatchEvents counts queued events. */
  heldWatchEvents(): number;
  /** openWatches counts watches not yet ended. */
  openWatches(): number;
  calls: Record<string, number>;
}

function matches(obj: JsonObject, selector?: string): boolean {
  if (!selector) return true;
  const labels = stringMapOf(obj, 'labels');
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return v === undefined ? k! in labels : labels[k!] === v;
  });
}

function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepCopy(patch);
  const out: JsonObject = isJsonObject(target) ? deepCopy(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key]!;
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** omitEmptyIngress does what the apiserver's omitempty does to a Service: `loadBalancer.ingress: []` is not stored. */
function omitEmptyIngress(svc: JsonObject): void {
  const lb = isJsonObject(svc.status) && isJsonObject(svc.status.loadBalancer) ? svc.status.loadBalancer : undefined;
  if (lb && Array.isArray(lb.ingress) && lb.ingress.length === 0) delete lb.ingress;
}

/** createFakeApiClient returns an empty fake API server. */
export function createFakeApiClient(): FakeApiClient {
  const data = new Map<string, Map<string, JsonObject>>();
  const watchers: Watcher[] = [];
  let holding = false;
  const held: Array<() => void> = [];
  const deliver = (w: Watcher, e: WatchEvent): void => {
    if (!holding) return w.onEvent(e);
    held.push(() => {
      if (!w.stopped) w.onEvent(e);
    });
  };
  // Every change since the last compaction, so a watch from resourceVersion N replays what followed N (as etcd does).
  const history: Array<{ rv: number; resource: string; type: WatchEvent['type']; obj: JsonObject }> = [];
  const failures = new Map<string, { n: number; status: number; resource?: string }>();
  let rv = 100;
  let minRv = 0;
  let uid = 0;
  const writes: Write[] = [];
  const calls: Record<string, number> = {};

  const bucket = (r: ResourceRef): Map<string, JsonObject> => {
    const key = `${r.group}/${r.resource}`;
    if (!data.has(key)) data.set(key, new Map());
    return data.get(key)!;
  };
  const k = (ns: string, name: string): string => (ns ? `${ns}/${name}` : name);
  const check = (verb: string, resource?: string): void => {
    calls[verb] = (calls[verb] ?? 0) + 1;
    const f = failures.get(verb);
    if (f && f.n > 0 && (f.resource === undefined || f.resource === resource)) {
      f.n--;
      throw new ApiRequestError(f.status, 'InternalError', `injected ${verb} failure`);
    }
  };
  const notFound = (r: ResourceRef, name: string): ApiRequestError =>
    new ApiRequestError(404, 'NotFound', `${r.resource} "${name}" not found`);
  const notify = (r: ResourceRef, type: WatchEvent['type'], obj: JsonObject): void => {
    history.push({ rv, resource: `${r.group}/${r.resource}`, type, obj: deepCopy(obj) });
    for (const w of watchers) {
      if (!w.stopped && w.resource === `${r.group}/${r.resource}` && matches(obj, w.selector)) {
        deliver(w, { type, object: deepCopy(obj) });
      }
    }
  };
  const store = (r: ResourceRef, obj: JsonObject, type: WatchEvent['type']): JsonObject => {
    const meta = obj.metadata as JsonObject;
    meta.resourceVersion = String(++rv);
    bucket(r).set(k(namespaceOf(obj), nameOf(obj)), obj);
    notify(r, type, obj);
    return deepCopy(obj);
  };
  const remove = (r: ResourceRef, obj: JsonObject): void => {
    bucket(r).delete(k(namespaceOf(obj), nameOf(obj)));
    (obj.metadata as JsonObject).resourceVersion = String(++rv);
    notify(r, 'DELETED', obj);
  };
  const finishIfDone = (r: ResourceRef, obj: JsonObject): JsonObject => {
    if (isJsonObject(obj.metadata) && obj.metadata.deletionTimestamp && finalizersOf(obj).length === 0) {
      remove(r, obj);
      return deepCopy(obj);
    }
    return store(r, obj, 'MODIFIED');
  };

  const client: FakeApiClient = {
    writes,
    calls,
    seed(r, obj) {
      const copy = deepCopy(obj);
      const meta = (copy.metadata ??= {}) as JsonObject;
      meta.uid ??= `uid-${++uid}`;
      return store(r, copy, 'ADDED');
    },
    read: (r, ns, name) => bucket(r).get(k(ns, name)),
    all: (r) => [...bucket(r).values()],
    breakWatches(err) {
      for (const w of watchers.splice(0)) {
        if (!w.stopped) {
          w.stopped = true;
          w.onDone(err);
        }
      }
    },
    failNext(verb, n, status = 500, resource) {
      failures.set(verb, { n, status, resource });
    },
    compact() {
      minRv = rv;
      history.splice(0);
    },
    holdWatchEvents() {
      holding = true;
    },
    releaseWatchEvents(n = Infinity) {
      const batch = held.splice(0, n);
      if (held.length === 0 && n === Infinity) holding = false;
      batch.forEach((fn) => fn());
      return batch.length;
    },
    heldWatchEvents: () => held.length,
    openWatches: () => watchers.filter((w) => !w.stopped).length,
    async list(r, options) {
      check('list');
      const items = [...bucket(r).values()].filter((o) => matches(o, options?.labelSelector)).map((o) => deepCopy(o));
      return { items, resourceVersion: String(rv) };
    },
    async watch(r, options: WatchOptions, onEvent, onDone) {
      check('watch');
      if (Number(options.resourceVersion) < minRv) {
        throw new ApiRequestError(410, 'Expired', 'too old resource version');
      }
      const w: Watcher = { resource: `${r.group}/${r.resource}`, selector: options.labelSelector, onEvent, onDone, stopped: false };
      const from = Number(options.resourceVersion);
      for (const h of history) {
        if (h.rv > from && h.resource === w.resource && matches(h.obj, w.selector)) deliver(w, { type: h.type, object: deepCopy(h.obj) });
      }
      watchers.push(w);
      return {
        stop() {
          if (w.stopped) return;
          w.stopped = true;
          onDone(null);
        },
      };
    },
    async get(r, ns, name) {
      check('get');
      const obj = bucket(r).get(k(ns, name));
      if (!obj) throw notFound(r, name);
      return deepCopy(obj);
    },
    async create(r, obj) {
      writes.push({ verb: 'create', resource: r.resource, namespace: namespaceOf(obj), name: nameOf(obj), body: obj });
      check('create', r.resource);
      if (bucket(r).has(k(namespaceOf(obj), nameOf(obj)))) {
        throw new ApiRequestError(409, 'AlreadyExists', `${r.resource} "${nameOf(obj)}" already exists`);
      }
      const copy = deepCopy(obj);
      const meta = copy.metadata as JsonObject;
      meta.uid = `uid-${++uid}`;
      meta.creationTimestamp = '2026-01-01T00:00:00Z';
      return store(r, copy, 'ADDED');
    },
    async update(r, obj) {
      writes.push({ verb: 'update', resource: r.resource, namespace: namespaceOf(obj), name: nameOf(obj), body: obj });
      check('update');
      const current = bucket(r).get(k(namespaceOf(obj), nameOf(obj)));
      if (!current) throw notFound(r, nameOf(obj));
      const want = (obj.metadata as JsonObject).resourceVersion;
      if (want && want !== (current.metadata as JsonObject).resourceVersion) {
        throw new ApiRequestError(409, 'Conflict', 'the object has been modified');
      }
      return store(r, deepCopy(obj), 'MODIFIED');
    },
    async patch(r, ns, name, body, options) {
      writes.push({ verb: 'patch', resource: r.resource, namespace: ns, name, subresource: options.subresource, body });
      check('patch');
      const current = bucket(r).get(k(ns, name));
      if (!current) throw notFound(r, name);
      let next: JsonObject;
      if (options.type === 'json') {
        next = jsonpatch.applyPatch(deepCopy(current), body as jsonpatch.Operation[], true, false).newDocument as JsonObject;
      } else {
        const wantRv = isJsonObject((body as JsonObject).metadata)
          ? ((body as JsonObject).metadata as JsonObject).resourceVersion
          : undefined;
        if (wantRv && wantRv !== (current.metadata as JsonObject).resourceVersion) {
          throw new ApiRequestError(409, 'Conflict', 'the object has been modified');
        }
        next = mergePatch(current, body as JsonValue) as JsonObject;
      }
      // Status subresource semantics: the main resource ignores status, /status ignores the rest.
      if (options.subresource === 'status') next = { ...deepCopy(current), status: next.status ?? null };
      else if ('status' in current) next.status = deepCopy(current.status!);
      else delete next.status;
      if (r.group === '' && r.resource === 'services') omitEmptyIngress(next);
      return finishIfDone(r, next);
    },
    async delete(r, ns, name, options) {
      writes.push({ verb: 'delete', resource: r.resource, namespace: ns, name });
      check('delete');
      const current = bucket(r).get(k(ns, name));
      if (!current) throw notFound(r, name);
      if (options?.uid && options.uid !== (current.metadata as JsonObject).uid) {
        throw new ApiRequestError(409, 'Conflict', 'precondition failed: uid');
      }
      if (finalizersOf(current).length > 0) {
        const next = deepCopy(current);
        (next.metadata as JsonObject).deletionTimestamp ??= '2026-01-01T00:00:00Z';
        return store(r, next, 'MODIFIED');
      }
      remove(r, deepCopy(current));
      return undefined;
    },
  };
  return client;
}
