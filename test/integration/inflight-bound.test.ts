import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { ClientRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createMutateHandler, createValidateHandler } from '../../src/admission/handlers.js';
import { loadRuntimeConfig } from '../../src/server/admission-runtime.js';
import { createApp } from '../../src/server/app.js';
import { createInflightBudget } from '../../src/server/inflight-budget.js';
import type { InflightBudget } from '../../src/server/inflight-budget.js';
import { fixture } from './support/core-app.js';

/*
 * Issue 14, point 8: a review that would take the body bytes in flight past
 * --max-inflight-bytes is refused with 429 and a metav1.Status before its
 * body is read, instead of growing the heap.
 */
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

function open(port: number, path: string, headers: Record<string, string>): { req: ClientRequest; reply: Promise<Reply> } {
  let req!: ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Record<string, any> }));
    });
    req.on('error', reject);
  });
  return { req, reply };
}

const send = (port: number, path: string, body: string) => {
  const { req, reply } = open(port, path, { 'content-length': String(Buffer.byteLength(body)) });
  req.end(body);
  return reply;
};

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

describe('the in-flight bytes bound', () => {
  let review: string;
  let budget: InflightBudget;
  let server: Server;
  let port: number;

  before(async () => {
    const config = await loadRuntimeConfig({ crdPaths: ['manifests/crds'], policyPaths: ['policies'] });
    const chain = () => config.chain;
    review = JSON.stringify(await fixture('widget-create-valid.json'));
    budget = createInflightBudget(Buffer.byteLength(review) + 10);
    server = createServer(createApp({ mutate: createMutateHandler({ chain }), validate: createValidateHandler({ chain }), logger: pino({ level: 'silent' }), budget, bodyLimit: 64 * 1024 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a review that would pass it with 429, Retry-After and a metav1.Status, and serves reviews again once the others are done', async () => {
    // A review whose body is still arriving holds its share of the bound.
    const slow = open(port, '/validate', { 'content-length': String(Buffer.byteLength(review)) });
    slow.req.write(review.slice(0, 10));
    await until(() => budget.inUse() === Buffer.byteLength(review), 'the slow review holds its bytes');

    const refused = await send(port, '/mutate', review);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.body.kind, 'Status');
    assert.equal(refused.body.reason, 'TooManyRequests');
    assert.equal(refused.body.code, 429);
    assert.match(refused.body.message, /^too many reviews in flight: .*--max-inflight-bytes/);
    assert.equal(budget.inUse(), Buffer.byteLength(review), 'the refused review took nothing');

    slow.req.end(review.slice(10));
    assert.equal((await slow.reply).status, 200);
    await until(() => budget.inUse() === 0, 'the answered review gives its bytes back');
    assert.equal((await send(port, '/mutate', review)).status, 200);
  });

  it('counts a body without Content-Length at the body limit', async () => {
    const chunked = open(port, '/validate', { 'transfer-encoding': 'chunked' });
    chunked.req.write(review.slice(0, 10));
    await until(() => budget.inUse() === 64 * 1024, 'a chunked body holds the body limit');
    chunked.req.end(review.slice(10));
    assert.equal((await chunked.reply).status, 200);
    await until(() => budget.inUse() === 0, 'released');
  });
});
