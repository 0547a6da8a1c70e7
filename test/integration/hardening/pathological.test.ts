import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadFixture, nested, startHardeningServer, withRawField } from './support/hardening-server.js';
import type { Answer, HardeningServer } from './support/hardening-server.js';

/*
 * Pathological objects: each is answered in bounded time with a bounded
 * answer, never a 5xx and never an errored review, and /healthz keeps
 * answering meanwhile. Bounds are generous (the machine is shared): they
 * catch stack overflows, quadratic walks and echoed megabytes, not jitter.
 */

const TIME_BOUND_MS = 10_000;
const OUTPUT_BOUND = 128 * 1024;

let server: HardeningServer;
let review: any;
let conversion: any;

before(async () => {
  server = await startHardeningServer();
  review = await loadFixture('admission/widget-create-valid.json');
  conversion = await loadFixture('conversion/crontab-docs-review.json');
});

after(async () => {
  await server.close();
});

function assertBounded(answer: Answer): void {
  assert.ok(answer.status < 500, `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  assert.ok(answer.ms < TIME_BOUND_MS, `took ${answer.ms.toFixed(0)} ms`);
  assert.ok(answer.text.length < OUTPUT_BOUND, `answer is ${answer.text.length} bytes`);
  if (answer.status === 200 && answer.json?.kind === 'AdmissionReview') {
    assert.notEqual(answer.json.response.status?.code, 500, `errored review: ${answer.json.response.status?.message}`);
  }
}

describe('nesting far deeper than any real object', () => {
  for (const route of ['/validate', '/mutate']) {
    for (const kind of ['array', 'object'] as const) {
      it(`refuses 10^4 levels of ${kind}s on ${route} with a 400 that says why`, async () => {
        const answer = await server.post(route, withRawField(review, 'unknownField', nested(10_000, kind)));
        assertBounded(answer);
        assert.equal(answer.status, 400);
        assert.match(answer.json.message, /more than 1000 levels deep/);
      });
    }
  }

  it('refuses 10^4 levels inside a ConversionReview object', async () => {
    const copy = structuredClone(conversion);
    copy.request.objects[0].spec = '@@deep@@';
    const answer = await server.post('/convert', JSON.stringify(copy).replace('"@@deep@@"', nested(10_000, 'object')));
    assertBounded(answer);
    assert.equal(answer.status, 400);
  });

  it('refuses 10^6 levels (a 2 MB body of brackets) as quickly', async () => {
    const answer = await server.post('/validate', nested(1_000_000));
    assertBounded(answer);
    assert.equal(answer.status, 400);
  });

  it('still evaluates 900 levels on /mutate and /validate: every recursive walk copes', async () => {
    for (const route of ['/validate', '/mutate']) {
      const answer = await server.post(route, withRawField(review, 'unknownField', nested(900, 'object')));
      assertBounded(answer);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.response.uid, review.request.uid);
    }
  });

  it('reports a 900-level value where a string belongs, without overflowing on its rendering', async () => {
    const answer = await server.post('/validate', withRawField(review, 'image', nested(900, 'object')));
    assertBounded(answer);
    assert.equal(answer.json.response.allowed, false);
    assert.equal(answer.json.response.status.code, 422);
    assert.match(answer.json.response.status.message, /spec\.image/);
  });
});

describe('huge collections and strings', () => {
  it('answers 10^5 hook items with a bounded list of errors', async () => {
    const hooks = Array.from({ length: 100_000 }, () => ({ name: 'NOT valid', url: 1 }));
    const copy = structuredClone(review);
    copy.request.object.spec.hooks = hooks;
    for (const route of ['/validate', '/mutate']) {
      const answer = await server.post(route, JSON.stringify(copy));
      assertBounded(answer);
      assert.equal(answer.json.response.allowed, false);
      assert.ok(answer.json.response.status.details.causes.length <= 100, `${answer.json.response.status.details.causes.length} causes`);
      assert.match(answer.json.response.status.message, /Too many: 100000/);
    }
  });

  it('answers a 5 MiB string without echoing it (the bad value is cut in the message)', async () => {
    const copy = structuredClone(review);
    // tier is an enum: the value is echoed in "Unsupported value: ..." (image would stop at "Too long").
    copy.request.object.spec.tier = 'A'.repeat(5 * 1024 * 1024);
    for (const route of ['/validate', '/mutate']) {
      const answer = await server.post(route, JSON.stringify(copy));
      assertBounded(answer);
      assert.equal(answer.json.response.allowed, false);
      assert.match(answer.json.response.status.message, /spec\.tier: Unsupported value: "AAAA/);
      assert.match(answer.text, /more characters\)/);
    }
  });

  it('answers thousands of violations at once with at most 100 causes and says it stopped', async () => {
    const copy = structuredClone(review);
    copy.request.object.spec.labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`label-${i}`, 'x'.repeat(64)]));
    copy.request.object.spec.hooks = Array.from({ length: 2000 }, () => ({ name: 'UPPER', url: 'not a uri', timeoutSeconds: 99, events: ['explode'] }));
    const answer = await server.post('/validate', JSON.stringify(copy));
    assertBounded(answer);
    const { status } = answer.json.response;
    assert.equal(status.code, 422);
    assert.ok(status.details.causes.length <= 100);
    assert.match(status.message, /too many errors, only the first ones are reported/);
  });

  it('converts a 5 MiB field and 10^5-element array inside a ConversionReview without a 5xx', async () => {
    const copy = structuredClone(conversion);
    copy.request.objects[0].spec = { blob: 'B'.repeat(5 * 1024 * 1024 - 1000), list: [] };
    copy.request.objects[1].spec = { list: Array.from({ length: 100_000 }, (_, i) => i) };
    const answer = await server.post('/convert', JSON.stringify(copy));
    assert.ok(answer.status < 500, answer.text.slice(0, 300));
    assert.ok(answer.ms < TIME_BOUND_MS, `took ${answer.ms.toFixed(0)} ms`);
    assert.equal(answer.json.response.uid, copy.request.uid);
  });

  it('refuses a body over 7 MiB with 413 before reading it all', async () => {
    const answer = await server.post('/validate', Buffer.alloc(8 * 1024 * 1024, 0x20));
    assert.equal(answer.status, 413);
  });
});

describe('/healthz while pathological requests are in flight', () => {
  it('keeps answering, each probe in bounded time', async () => {
    const copy = structuredClone(review);
    copy.request.object.spec.hooks = Array.from({ length: 50_000 }, () => ({ name: 'NOT valid', url: 1 }));
    const heavy = JSON.stringify(copy);
    const deep = withRawField(review, 'unknownField', nested(10_000));
    let inFlight = true;
    const load = Promise.all([
      ...Array.from({ length: 4 }, () => server.post('/validate', heavy)),
      ...Array.from({ length: 4 }, () => server.post('/mutate', deep)),
    ]).finally(() => {
      inFlight = false;
    });
    const probes: number[] = [];
    while (inFlight) {
      const probe = await server.get('/healthz');
      assert.equal(probe.status, 200);
      probes.push(probe.ms);
    }
    for (const answer of await load) assertBounded(answer);
    assert.ok(probes.length >= 1);
    // Node runs one request at a time: a probe waits for at most the requests
    // ahead of it, each bounded; never for a stalled event loop.
    assert.ok(Math.max(...probes) < TIME_BOUND_MS, `slowest /healthz ${Math.max(...probes).toFixed(0)} ms`);
  });
});
