import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createMutateHandler, createValidateHandler } from '../../../../src/admission/handlers.js';
import { createCelExpressionEngine } from '../../../../src/conversion/cel-expressions.js';
import { loadConversions } from '../../../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../../../src/conversion/convert-review.js';
import { loadRuntimeConfig } from '../../../../src/server/admission-runtime.js';
import { createApp } from '../../../../src/server/app.js';
import { ensureDevCertificates } from '../../../../src/server/certificates.js';
import { createConvertEndpoint } from '../../../../src/server/convert-endpoint.js';
import { createHttpsListener } from '../../../../src/server/https-server.js';
import type { HttpsListener } from '../../../../src/server/https-server.js';

/** HardeningServer is the full webhook app (validate, mutate, convert) on real TLS at 127.0.0.1:<random>. */
export interface HardeningServer {
  readonly port: number;
  readonly listener: HttpsListener;
  readonly ca: Buffer;
  /** post sends one body (a string is sent as is) and returns status, raw text and elapsed ms. */
  post(pathname: string, body: string | Buffer, options?: { contentType?: string; agent?: Agent }): Promise<Answer>;
  /** get sends one GET (e.g. /healthz). */
  get(pathname: string, options?: { agent?: Agent }): Promise<Answer>;
  close(): Promise<void>;
}

/** Answer is one HTTP answer as the tests see it. */
export interface Answer {
  status: number;
  text: string;
  ms: number;
  /** json is the parsed body, or undefined when it is not JSON. */
  json: any;
}

/** ServerOptions picks the configuration the server loads; defaults are the shipped ones. */
export interface ServerOptions {
  crdPaths?: string[];
  policyPaths?: string[];
}

/**
 * startHardeningServer wires the app the way `portcullis serve` does (CRDs,
 * policies, conversions from the shipped folders unless told otherwise),
 * silent logs, dev certificates in a temp folder.
 */
export async function startHardeningServer(options: ServerOptions = {}): Promise<HardeningServer> {
  const crdPaths = options.crdPaths ?? ['manifests/crds'];
  const policyPaths = options.policyPaths ?? ['policies'];
  const logger = pino({ level: 'silent' });
  const config = await loadRuntimeConfig({ crdPaths, policyPaths });
  const chain = () => config.chain;
  const conversions = await loadConversions({ policyPaths, crds: config.crds.crds, engine: createCelExpressionEngine() });
  const convert = createConvertEndpoint({ handler: createConversionHandler({ registry: () => conversions }), logger });
  const app = createApp({ mutate: createMutateHandler({ chain }), validate: createValidateHandler({ chain }), convert, logger });
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-hardening-'));
  await ensureDevCertificates(dir);
  const ca = await readFile(path.join(dir, 'ca.crt'));
  const listener = createHttpsListener({
    app,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: await readFile(path.join(dir, 'tls.crt')), key: await readFile(path.join(dir, 'tls.key')) },
  });
  const { port } = await listener.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca });
  const send = (method: string, pathname: string, body: string | Buffer | undefined, opts: { contentType?: string; agent?: Agent } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers['content-type'] = opts.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = request({ host: '127.0.0.1', port, path: pathname, method, agent: opts.agent ?? agent, ca, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    port,
    listener,
    ca,
    post: (pathname, body, opts) => send('POST', pathname, body, opts),
    get: (pathname, opts) => send('GET', pathname, undefined, opts),
    close: async () => {
      agent.destroy();
      await listener.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** loadFixture reads a JSON fixture under test/fixtures as a fresh object. */
export async function loadFixture(relative: string): Promise<any> {
  return JSON.parse(await readFile(new URL(`../../../fixtures/${relative}`, import.meta.url), 'utf8'));
}

/** nested returns JSON text of `depth` nested arrays (or objects) around a number, built as text (JSON.stringify would overflow). */
export function nested(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** withRawField serializes a review with `raw` JSON text in place of the marker value at spec.<field> of request.object. */
export function withRawField(review: any, field: string, raw: string): string {
  const marker = '"@@raw-field-marker@@"';
  const copy = structuredClone(review);
  copy.request.object.spec[field] = '@@raw-field-marker@@';
  return JSON.stringify(copy).replace(marker, raw);
}
