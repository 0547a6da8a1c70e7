import type { JsonObject } from '../kube/types.js';

/**
 * The slice of the Kubernetes API the controller uses, as an interface so that
 * unit tests inject a fake and only rest-client.ts talks HTTP.
 */

/** ResourceRef names an API resource and how to address it. */
export interface ResourceRef {
  /** group is "" for the core group. */
  group: string;
  version: string;
  /** resource is the plural lowercase name used in URLs, e.g. `services`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** ListResult is a list response: items and the list's resourceVersion to watch from. */
export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
}

/** WatchEvent is one decoded watch event. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: JsonObject;
}

/** WatchOptions are the query parameters of a watch. */
export interface WatchOptions {
  resourceVersion: string;
  labelSelector?: string;
  /** timeoutSeconds asks the server to end the watch cleanly after this long. */
  timeoutSeconds?: number;
}

/** WatchHandle stops a running watch. */
export interface WatchHandle {
  /** stop aborts the watch; onDone is still called once. */
  stop(): void;
}

/** PatchOptions selects the patch type and an optional subresource. */
export interface PatchOptions {
  /** type is `merge` (application/merge-patch+json) or `json` (application/json-patch+json). */
  type: 'merge' | 'json';
  subresource?: 'status';
}

/** ApiClient is the controller's view of the API server. Every method rejects with ApiRequestError on an API error. */
export interface ApiClient {
  /** list returns every object of resource across namespaces. */
  list(resource: ResourceRef, options?: { labelSelector?: string }): Promise<ListResult>;
  /** watch streams events from resourceVersion; onDone is called exactly once, with an error unless the server closed cleanly. */
  watch(
    resource: ResourceRef,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    onDone: (err: Error | null) => void,
  ): Promise<WatchHandle>;
  /** get reads one object (namespace "" for cluster-scoped resources). */
  get(resource: ResourceRef, namespace: string, name: string): Promise<JsonObject>;
  /** create creates obj in its metadata.namespace. */
  create(resource: ResourceRef, obj: JsonObject): Promise<JsonObject>;
  /** update replaces obj (PUT); metadata.resourceVersion makes it conditional. */
  update(resource: ResourceRef, obj: JsonObject): Promise<JsonObject>;
  /** patch patches one object or its status subresource. */
  patch(resource: ResourceRef, namespace: string, name: string, body: unknown, options: PatchOptions): Promise<JsonObject>;
  /**
   * delete deletes one object; `uid` adds a precondition so that a recreated
   * namesake is left alone. Resolves with the object when finalizers keep it
   * around, undefined once it is gone.
   */
  delete(resource: ResourceRef, namespace: string, name: string, options?: { uid?: string }): Promise<JsonObject | undefined>;
}

/** resourcePath builds the URL path of a collection (name omitted) or of one object. */
export function resourcePath(resource: ResourceRef, namespace: string, name?: string, subresource?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  const sub = subresource ? `/${subresource}` : '';
  return `${base}${ns}/${resource.resource}${obj}${sub}`;
}

/** apiVersionOfResource spells the apiVersion of a resource ("v1" for core). */
export function apiVersionOfResource(resource: ResourceRef): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}
