import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiClient, WatchEvent } from '../../../src/controller/api-client.js';
import { ApiRequestError, isAlreadyExists, isConflict, isNotFound } from '../../../src/controller/errors.js';
import { createRestClient } from '../../../src/controller/rest-client.js';
import { CLAIMS, SERVICES } from './fixture.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let client: ApiClient;
const seen: Seen[] = [];
let respond: (req: IncomingMessage, body: string) => { status: number; body: unknown; stream?: string[] } = () => ({ status: 200, body: {} });

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      const r = respond(req, body);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      if (r.stream) {
        for (const line of r.stream) res.write(`${line}\n`);
        res.end();
        return;
      }
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  client = createRestClient({ kubeConfig: kc });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('paths, verbs and patch content types follow the API conventions', async () => {
  seen.length = 0;
  respond = () => ({ status: 200, body: { metadata: { name: 'x' } } });
  await client.get(SERVICES, 'shop', 'web');
  await client.patch(SERVICES, 'shop', 'web', { status: {} }, { type: 'merge', subresource: 'status' });
  await client.patch(CLAIMS, '', 'shop.web', [], { type: 'json' });
  await client.create(CLAIMS, { metadata: { name: 'shop.web' } });
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url} ${s.contentType ?? ''}`),
    [
      'GET /api/v1/namespaces/shop/services/web ',
      'PATCH /api/v1/namespaces/shop/services/web/status application/merge-patch+json',
      'PATCH /apis/net.portcullis.dev/v1alpha1/loadbalancerclaims/shop.web application/json-patch+json',
      'POST /apis/net.portcullis.dev/v1alpha1/loadbalancerclaims application/json',
    ],
  );
});

test('list follows continue tokens and returns the last resourceVersion', async () => {
  respond = (req) =>
    req.url!.includes('continue=')
      ? { status: 200, body: { metadata: { resourceVersion: '20' }, items: [{ metadata: { name: 'b' } }] } }
      : { status: 200, body: { metadata: { resourceVersion: '10', continue: 'tok' }, items: [{ metadata: { name: 'a' } }] } };
  const list = await client.list(SERVICES, { labelSelector: 'a=b' });
  assert.deepEqual(list.items.map((i) => (i.metadata as { name: string }).name), ['a', 'b']);
  assert.equal(list.resourceVersion, '20');
  assert.match(seen.at(-2)!.url, /^\/api\/v1\/services\?labelSelector=a%3Db&limit=500$/);
});

test('API errors become coded errors with status and reason', async () => {
  const cases: Array<[number, string, (e: unknown) => boolean]> = [
    [404, 'NotFound', isNotFound],
    [409, 'AlreadyExists', isAlreadyExists],
    [409, 'Conflict', isConflict],
  ];
  for (const [status, reason, check] of cases) {
    respond = () => ({ status, body: { kind: 'Status', reason, message: 'nope' } });
    await assert.rejects(client.get(SERVICES, 'shop', 'web'), (err: unknown) => err instanceof ApiRequestError && check(err) && /nope/.test((err as Error).message));
  }
});

test('delete sends a uid precondition and tells gone from pending', async () => {
  respond = () => ({ status: 200, body: { kind: 'Status', status: 'Success' } });
  assert.equal(await client.delete(CLAIMS, '', 'x', { uid: 'u1' }), undefined);
  assert.deepEqual(JSON.parse(seen.at(-1)!.body).preconditions, { uid: 'u1' });
  respond = () => ({ status: 200, body: { kind: 'LoadBalancerClaim', metadata: { name: 'x' } } });
  assert.equal(await client.delete(CLAIMS, '', 'x'), undefined, 'final state returned: gone');
  respond = () => ({ status: 202, body: { kind: 'LoadBalancerClaim', metadata: { name: 'x', finalizers: ['f'] } } });
  assert.ok(await client.delete(CLAIMS, '', 'x'), 'finalizers pending');
});

test('watch streams decoded events and reports a clean end', async () => {
  respond = () => ({
    status: 200,
    body: {},
    stream: [
      JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } }),
      JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '6' } } }),
    ],
  });
  const events: WatchEvent[] = [];
  const done = new Promise<Error | null>((resolve) => {
    void client.watch(SERVICES, { resourceVersion: '4', timeoutSeconds: 60 }, (e) => events.push(e), resolve);
  });
  assert.equal(await done, null);
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
  assert.match(seen.at(-1)!.url, /watch=true/);
  assert.match(seen.at(-1)!.url, /resourceVersion=4/);
  assert.match(seen.at(-1)!.url, /allowWatchBookmarks=true/);
});

test('a watch refused with 410 reports a Gone error', async () => {
  respond = () => ({ status: 410, body: { kind: 'Status', code: 410, reason: 'Expired' } });
  const err = await new Promise<Error | null>((resolve) => {
    void client.watch(SERVICES, { resourceVersion: '1' }, () => {}, resolve);
  });
  assert.ok(err instanceof ApiRequestError && err.statusCode === 410, String(err));
});
