import type { ApiClient } from './api-client.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * withWriteCounting decorates an ApiClient so that every mutating request
 * (create, update, patch, delete; successful or not) increments
 * `portcullis_controller_api_writes_total{verb,resource}`, and every request
 * (reads too) `portcullis_controller_api_requests_total{verb,resource}`. The
 * benchmark, the "no writes at steady state" checks and the standby's
 * request rate while the apiserver is down read these counters.
 */
export function withWriteCounting(client: ApiClient, metrics: ControllerMetrics): ApiClient {
  const count = (verb: string, resource: string, sub?: string): void => {
    const labels = { verb, resource: sub ? `${resource}/${sub}` : resource };
    metrics.apiWrites.inc(labels);
    metrics.apiRequests.inc(labels);
  };
  const read = (verb: string, resource: string): void => metrics.apiRequests.inc({ verb, resource });
  return {
    list(r, o) {
      read('list', r.resource);
      return client.list(r, o);
    },
    watch(r, o, e, d) {
      read('watch', r.resource);
      return client.watch(r, o, e, d);
    },
    get(r, ns, n) {
      read('get', r.resource);
      return client.get(r, ns, n);
    },
    create(r, obj) {
      count('create', r.resource);
      return client.create(r, obj);
    },
    update(r, obj) {
      count('update', r.resource);
      return client.update(r, obj);
    },
    patch(r, ns, n, body, o) {
      count('patch', r.resource, o.subresource);
      return client.patch(r, ns, n, body, o);
    },
    delete(r, ns, n, o) {
      count('delete', r.resource);
      return client.delete(r, ns, n, o);
    },
  };
}
