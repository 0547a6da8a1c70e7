/**
 * A minimal REST client for dry-run creates against the e2e kube-apiserver:
 * one keep-alive HTTPS agent, bearer token, JSON in and out.
 */
import { Agent, request } from 'node:https';
import type { JsonObject } from '../../../src/kube/types.js';

/** DryRunResult is what the apiserver answered to one dry-run create. */
export interface DryRunResult {
  status: number;
  body: JsonObject;
  /** warnings are the texts of the `Warning: 299 - "..."` headers. */
  warnings: string[];
}

/** DryRunClientOptions configures createDryRunClient. */
export interface DryRunClientOptions {
  apiserverUrl: string;
  token: string;
  ca: string;
}

/** ApiClient talks to the apiserver; writes use `fieldValidation=Warn`. */
export interface ApiClient {
  /** create posts an object as a dry run. */
  create(path: string, object: JsonObject): Promise<DryRunResult>;
  /** request sends any request; `dryRun` adds `dryRun=All`. */
  request(method: 'GET' | 'POST' | 'PUT', path: string, object?: JsonObject, dryRun?: boolean): Promise<DryRunResult>;
  /** apply sends a server-side apply (`application/apply-patch+yaml`, field manager `diff`, forced) of a YAML body; `dryRun` adds `dryRun=All`. */
  apply(path: string, yaml: string, dryRun?: boolean): Promise<DryRunResult>;
  close(): void;
}

/** DryRunClient is the ApiClient of the create differential. */
export type DryRunClient = ApiClient;

function parseWarnings(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: string[] = [];
  for (const value of values) {
    for (const m of value.matchAll(/299 - "((?:\\.|[^"\\])*)"/g)) out.push((m[1] as string).replace(/\\(.)/g, '$1'));
  }
  return out;
}

/** createDryRunClient returns a client bound to one apiserver. */
export function createDryRunClient(options: DryRunClientOptions): ApiClient {
  const agent = new Agent({ keepAlive: true, ca: options.ca, maxSockets: 4 });
  const send = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body: string, dryRun: boolean, contentType = 'application/json', extraQuery = ''): Promise<DryRunResult> => {
    const query = method === 'GET' ? '' : `?fieldValidation=Warn${dryRun ? '&dryRun=All' : ''}${extraQuery}`;
    const url = new URL(`${path}${query}`, options.apiserverUrl);
    const payload = body;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          headers: { authorization: `Bearer ${options.token}`, 'content-type': contentType, accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
          timeout: 30_000,
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8').on('data', (c: string) => (data += c));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as JsonObject, warnings: parseWarnings(res.headers['warning']) });
            } catch (err) {
              reject(new Error(`apiserver answered ${res.statusCode} with non-JSON: ${data.slice(0, 200)}`, { cause: err }));
            }
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('apiserver request timed out')));
      req.end(payload);
    });
  };
  return {
    create: (path, object) => send('POST', path, JSON.stringify(object), true),
    request: (method, path, object, dryRun = false) => send(method, path, object === undefined ? '' : JSON.stringify(object), dryRun),
    apply: (path, yaml, dryRun = false) => send('PATCH', path, yaml, dryRun, 'application/apply-patch+yaml', '&fieldManager=diff&force=true'),
    close: () => agent.destroy(),
  };
}
