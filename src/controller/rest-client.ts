import http from 'node:http';
import https from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { ApiClient, ResourceRef, WatchEvent } from './api-client.js';
import { resourcePath } from './api-client.js';
import { ApiRequestError } from './errors.js';

/**
 * The real ApiClient over @kubernetes/client-node's KubeConfig (in-cluster,
 * kubeconfig file or KUBECONFIG). Watches use the library's Watch; other
 * requests are plain JSON over one keep-alive agent, because the library's
 * generated clients open a new TLS connection per request and have no
 * generic subresource patch (the controller needs `/status` of any kind).
 */

/** RestClientOptions configures createRestClient. */
export interface RestClientOptions {
  kubeConfig: KubeConfig;
  /** timeoutMs bounds each non-watch request; default 30 s. */
  timeoutMs?: number;
  /** userAgent is sent with every request; default `portcullis-controller`. */
  userAgent?: string;
}

const CONTENT_TYPES = { merge: 'application/merge-patch+json', json: 'application/json-patch+json' } as const;

/** createRestClient returns an ApiClient for the kubeconfig's current context; no request is made until a method is called. */
export function createRestClient(options: RestClientOptions): ApiClient {
  const kc = options.kubeConfig;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'portcullis-controller';
  const watcher = new Watch(kc);
  let agent: http.Agent | undefined;

  function server(): URL {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ApiRequestError(0, 'NoCluster', 'kubeconfig has no current cluster');
    return new URL(cluster.server);
  }

  async function request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<JsonObject> {
    const base = server();
    const opts: https.RequestOptions = {};
    // Called per request so rotating credentials (token files, exec plugins) are picked up.
    await kc.applyToHTTPSOptions(opts);
    const tls = base.protocol === 'https:';
    if (!agent) {
      const cluster = kc.getCurrentCluster();
      agent = tls
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 32,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            rejectUnauthorized: cluster?.skipTLSVerify ? false : true,
            servername: cluster?.tlsServerName,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined), accept: 'application/json', 'user-agent': userAgent };
    if (payload) {
      headers['content-type'] = contentType;
      headers['content-length'] = payload.length;
    }
    const url = new URL(path, base);
    return new Promise((resolve, reject) => {
      const req = (tls ? https : http).request(
        url,
        { method, headers, agent, auth: opts.auth, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = {};
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = { message: text.slice(0, 200) };
            }
            const obj = isJsonObject(parsed) ? parsed : {};
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              const reason = typeof obj.reason === 'string' ? obj.reason : 'Unknown';
              const message = typeof obj.message === 'string' ? obj.message : `HTTP ${status}`;
              reject(new ApiRequestError(status, reason, `${method} ${url.pathname}: ${message}`));
              return;
            }
            if (status === 202) obj['__accepted'] = true;
            resolve(obj);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out after ${timeoutMs} ms`)));
      req.on('error', (err) => reject(new ApiRequestError(0, 'ConnectionError', `${method} ${url.pathname}: ${err.message}`, { cause: err })));
      req.end(payload);
    });
  }

  const query = (params: Record<string, string | undefined>): string => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  };
  const nsOf = (obj: JsonObject): string =>
    isJsonObject(obj.metadata) && typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
  const nameOfObj = (obj: JsonObject): string =>
    isJsonObject(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '';

  return {
    async list(resource: ResourceRef, opts) {
      const items: JsonObject[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      do {
        const page = await request('GET', resourcePath(resource, '') + query({ labelSelector: opts?.labelSelector, limit: '500', continue: cont }));
        for (const item of Array.isArray(page.items) ? page.items : []) if (isJsonObject(item)) items.push(item);
        const meta = isJsonObject(page.metadata) ? page.metadata : {};
        resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : resourceVersion;
        cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      } while (cont);
      return { items, resourceVersion };
    },
    async watch(resource, opts, onEvent, onDone) {
      const controller = await watcher.watch(
        resourcePath(resource, ''),
        {
          resourceVersion: opts.resourceVersion,
          labelSelector: opts.labelSelector,
          timeoutSeconds: opts.timeoutSeconds,
          allowWatchBookmarks: true,
        },
        (type: string, object: unknown) => {
          if (isJsonObject(object)) onEvent({ type: type as WatchEvent['type'], object });
        },
        (err: unknown) => {
          if (!err) return onDone(null);
          const e = err as Error & { statusCode?: number };
          onDone(e.statusCode ? new ApiRequestError(e.statusCode, e.statusCode === 410 ? 'Expired' : 'WatchFailed', `watch ${resource.resource}: ${e.message}`) : e);
        },
      );
      return { stop: () => controller.abort() };
    },
    get: (resource, namespace, name) => request('GET', resourcePath(resource, namespace, name)),
    create: (resource, obj) => request('POST', resourcePath(resource, nsOf(obj)), obj),
    update: (resource, obj) => request('PUT', resourcePath(resource, nsOf(obj), nameOfObj(obj)), obj),
    patch: (resource, namespace, name, body, opts) =>
      request('PATCH', resourcePath(resource, namespace, name, opts.subresource), body, CONTENT_TYPES[opts.type]),
    async delete(resource, namespace, name, opts) {
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...(opts?.uid ? { preconditions: { uid: opts.uid } } : {}) };
      const result = await request('DELETE', resourcePath(resource, namespace, name), body);
      // 200 + Status or a final object: gone. 202, or an object still carrying finalizers: deletion pending.
      const accepted = result['__accepted'] === true;
      delete result['__accepted'];
      if (result.kind === 'Status') return undefined;
      const meta = isJsonObject(result.metadata) ? result.metadata : {};
      const pending = accepted || (Array.isArray(meta.finalizers) && meta.finalizers.length > 0);
      return pending ? result : undefined;
    },
  };
}
