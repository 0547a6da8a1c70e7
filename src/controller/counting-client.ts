import type { ApiClient } from './api-client.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * withWriteCounting decorates an ApiClient so that every mutating request
 * (create, update, patch, delete; successful or not) increments
 * `portcullis_controller_api_writes_total{verb,resource}`. The benchmark and
 * the "no writes at steady state" checks read this counter.
 */
export function withWriteCounting(client: ApiClient, metrics: ControllerMetrics): ApiClient {
  const count = (verb: string, resource: string, sub?: string): void =>
    metrics.apiWrites.inc({ verb, resource: sub ? `${resource}/${sub}` : resource });
  return {
    list: (r, o) => client.list(r, o),
    watch: (r, o, e, d) => client.watch(r, o, e, d),
    get: (r, ns, n) => client.get(r, ns, n),
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
