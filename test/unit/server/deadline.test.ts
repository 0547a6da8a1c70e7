import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monotonicClock } from '../../../src/kube/clock.js';
import { answerBeforeDeadline, computeDeadline, deadlineResponse } from '../../../src/server/deadline.js';

describe('computeDeadline', () => {
  it('keeps a second plus a margin back because the apiserver rounds its remaining time up', () => {
    assert.deepEqual(computeDeadline('5s', 1000), { at: 1000 + 3900, budgetMs: 3900 });
    assert.deepEqual(computeDeadline('30s', 0), { at: 28_900, budgetMs: 28_900 });
  });

  it('never keeps back more than half of a short timeout', () => {
    assert.equal(computeDeadline('1s', 0).budgetMs, 500);
  });

  it('falls back to the 10 s default for a missing or malformed timeout and caps at 30 s', () => {
    assert.equal(computeDeadline(undefined, 0).budgetMs, 8900);
    assert.equal(computeDeadline(['1s', '2s'], 0).budgetMs, 8900);
    assert.equal(computeDeadline('soon', 0).budgetMs, 8900);
    assert.equal(computeDeadline('10m', 0).budgetMs, 28_900);
    assert.equal(computeDeadline(undefined, 0, { defaultTimeoutMs: 2000 }).budgetMs, 1000);
  });
});

describe('deadlineResponse', () => {
  it('denies with 504 Timeout when failing closed', () => {
    const response = deadlineResponse({ uid: 'u1' }, 'deny');
    assert.equal(response.uid, 'u1');
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 504);
    assert.equal(response.status?.reason, 'Timeout');
    assert.equal(response.patch, undefined);
  });

  it('allows with a warning and no patch when failing open', () => {
    const response = deadlineResponse({ uid: 'u2' }, 'allow');
    assert.equal(response.uid, 'u2');
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.equal(response.warnings?.length, 1);
    assert.match(response.warnings?.[0] ?? '', /before the deadline/);
  });
});

describe('answerBeforeDeadline', () => {
  it('does not start the work once the deadline has passed', async () => {
    let ran = false;
    const outcome = await answerBeforeDeadline(() => (ran = true), { at: 10, budgetMs: 10 }, { ...monotonicClock, now: () => 11 });
    assert.deepEqual(outcome, { expired: true });
    assert.equal(ran, false);
  });

  it('returns a synchronous result as it is', async () => {
    assert.deepEqual(await answerBeforeDeadline(() => 42, { at: 10, budgetMs: 10 }, { ...monotonicClock, now: () => 0 }), { expired: false, value: 42 });
  });

  it('answers at the deadline when asynchronous work is slower', async () => {
    const start = monotonicClock.now();
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 1000));
    const outcome = await answerBeforeDeadline(slow, { at: start + 50, budgetMs: 50 }, monotonicClock);
    assert.deepEqual(outcome, { expired: true });
    assert.ok(monotonicClock.now() - start < 500);
  });

  it('returns asynchronous work that finishes in time', async () => {
    const outcome = await answerBeforeDeadline(() => Promise.resolve('done'), { at: monotonicClock.now() + 1000, budgetMs: 1000 }, monotonicClock);
    assert.deepEqual(outcome, { expired: false, value: 'done' });
  });
});
