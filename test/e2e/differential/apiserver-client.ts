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

/** DryRunClient posts objects with `dryRun=All&fieldValidation=Warn`. */
export interface DryRunClient {
  create(path: string, object: JsonObject): Promise<DryRunResult>;
  close(): void;
}

function parseWarnings(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: string[] = [];
  for (const value of values) {
    for (const m of value.matchAll(/299 - "((?:\\.|[^"\\])*)"/g)) out.push((m[1] as string).replace(/\\(.)/g, '$1'));
  }
  return out;
}

/** createDryRunClient returns a client bound to one apiserver. */
export function createDryRunClient(options: DryRunClientOptions): DryRunClient {
  const agent = new Agent({ keepAlive: true, ca: options.ca, maxSockets: 4 });
  return {
    create(path, object) {
      const url = new URL(`${path}?dryRun=All&fieldValidation=Warn`, options.apiserverUrl);
      const payload = JSON.stringify(object);
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
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
        req.on('timeout', () => req.destroy(new Error('dry-run request timed out')));
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
