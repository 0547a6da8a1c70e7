import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { createHttpsListener } from '../../src/server/https-server.js';
import { createGracefulShutdown } from '../../src/server/shutdown.js';
import { createCoreApp, fixture } from './support/core-app.js';

const silent = pino({ level: 'silent' });

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

function send(port: number, ca: Buffer, agent: Agent | false, pathname: string, body?: string, slowMs = 0): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: pathname, method: body === undefined ? 'GET' : 'POST', agent, ca, headers: { 'content-type': 'application/json' } }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (slowMs === 0) req.end(body);
    else {
      // Half the body now, the rest later: the request is in flight meanwhile.
      req.write(body.slice(0, body.length / 2));
      setTimeout(() => req.end(body.slice(body.length / 2)), slowMs);
    }
  });
}

describe('graceful shutdown', () => {
  let dir: string;
  let ca: Buffer;
  let tls: { cert: Buffer; key: Buffer };
  let body: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portcullis-shutdown-'));
    await ensureDevCertificates(dir);
    ca = await readFile(path.join(dir, 'ca.crt'));
    tls = { cert: await readFile(path.join(dir, 'tls.crt')), key: await readFile(path.join(dir, 'tls.key')) };
    body = JSON.stringify(await fixture('widget-create-valid.json'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('turns readiness false first, finishes requests in flight, closes keep-alive connections, and ends within the drain period', async () => {
    const shutdown = createGracefulShutdown({ logger: silent, drainMs: 5000, delayMs: 300 });
    const app = await createCoreApp({ ready: shutdown.readiness });
    let handled = 0;
    const counted = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
      res.once('finish', () => (handled += 1));
      app(req, res);
    };
    const listener = createHttpsListener({ app: shutdown.track(counted), tls, host: '127.0.0.1', port: 0 });
    shutdown.addServer(listener.server);
    const { port } = await listener.listen();
    const agent = new Agent({ keepAlive: true, maxSockets: 2, ca });
    const closedSockets: number[] = [];
    let opened = 0;
    agent.on('free', (socket) => {
      if (!(socket as { counted?: boolean }).counted) {
        (socket as { counted?: boolean }).counted = true;
        opened += 1;
        socket.once('close', () => closedSockets.push(performance.now()));
      }
    });

    assert.equal((await send(port, ca, agent, '/readyz')).status, 200);
    const slowSentAt = performance.now();
    const slow = send(port, ca, agent, '/validate?timeout=10s', body, 1500);
    // Continuous keep-alive load until the listener has closed.
    let answered = 0;
    const errors: string[] = [];
    let loadRunning = true;
    const load = (async () => {
      while (loadRunning) {
        try {
          const reply = await send(port, ca, agent, '/validate?timeout=10s', body);
          assert.equal(reply.status, 200);
          answered += 1;
        } catch (err) {
          errors.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
          break;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 200));

    const started = performance.now();
    const done = shutdown.shutdown('test');
    assert.deepEqual(shutdown.readiness(), { ready: false, reason: 'shutting down' });
    assert.equal(shutdown.inFlight() >= 1, true, 'the slow request is in flight');
    // During the delay the server still answers, but asks clients to reconnect elsewhere.
    const during = await send(port, ca, false, '/readyz');
    assert.equal(during.status, 503);
    assert.equal(during.connection, 'close');

    const result = await done;
    const elapsed = performance.now() - started;
    loadRunning = false;
    await load;
    const slowReply = await slow;
    agent.destroy();

    assert.equal(slowReply.status, 200, 'the request in flight was answered');
    assert.equal(JSON.parse(slowReply.body).response.allowed, true);
    assert.deepEqual(result.drained, true);
    assert.equal(result.abandoned, 0);
    // The shutdown waited for the slow body (its second half leaves 1.5 s after the first) and ended within the drain period.
    assert.ok(started + elapsed - slowSentAt >= 1450 && elapsed < 5000, `shutdown took ${elapsed} ms`);
    assert.ok(answered > 0, 'load was served during the delay');
    // Every response the server finished reached its client (2 readyz + the slow one + the load);
    // the load stops on a connection the server never took a request from.
    assert.equal(handled, answered + 3);
    assert.ok(errors.every((code) => code === 'ECONNREFUSED' || code === 'ECONNRESET'), `client errors: ${errors.join(', ')}`);
    const open = await new Promise<number>((resolve) => listener.server.getConnections((_err, n) => resolve(n)));
    assert.equal(open, 0, 'every keep-alive connection was closed by the server');
    assert.ok(opened > 0 && closedSockets.length > 0);
    assert.equal(listener.server.listening, false);
  });

  it('destroys what is left when the drain period ends', async () => {
    const shutdown = createGracefulShutdown({ logger: silent, drainMs: 400 });
    const app = await createCoreApp();
    const listener = createHttpsListener({ app: shutdown.track(app), tls, host: '127.0.0.1', port: 0 });
    shutdown.addServer(listener.server);
    const { port } = await listener.listen();
    // A body that never completes.
    const hung = send(port, ca, false, '/validate', body, 60_000).then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    const result = await shutdown.shutdown('test');
    assert.equal(result.drained, false);
    assert.equal(result.abandoned, 1);
    assert.ok(performance.now() - started < 1500);
    assert.equal(await hung, 'ECONNRESET');
  });

  it('closes connections that never sent a request (TCP that never starts TLS, TLS silent after its handshake) and drains well within the drain period', { timeout: 20_000 }, async () => {
    const drainMs = 8000;
    const shutdown = createGracefulShutdown({ logger: silent, drainMs, idleGraceMs: 200 });
    const listener = createHttpsListener({ app: shutdown.track(await createCoreApp()), tls, host: '127.0.0.1', port: 0 });
    shutdown.addServer(listener.server);
    const { port } = await listener.listen();
    const plain = netConnect(port, '127.0.0.1');
    await once(plain, 'connect');
    const secure = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    await once(secure, 'secureConnect');
    const closed = Promise.all([once(plain, 'close'), once(secure, 'close')]);
    plain.on('error', () => undefined);
    secure.on('error', () => undefined);

    const result = await shutdown.shutdown('test');
    await closed;
    assert.equal(result.drained, true);
    assert.equal(result.abandoned, 0);
    assert.ok(result.elapsedMs < drainMs, `the idle connections held the shutdown for ${result.elapsedMs} ms of a ${drainMs} ms drain period`);
    assert.equal(listener.server.listening, false);
  });

  it('runs the shutdown once however often it is asked', async () => {
    const shutdown = createGracefulShutdown({ logger: silent, drainMs: 100 });
    let steps = 0;
    shutdown.onStopped(() => void (steps += 1));
    const [a, b] = await Promise.all([shutdown.shutdown('one'), shutdown.shutdown('two')]);
    assert.equal(a, b);
    assert.equal(steps, 1);
  });
});
