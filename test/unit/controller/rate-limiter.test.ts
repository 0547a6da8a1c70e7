import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBucketRateLimiter,
  createDefaultControllerRateLimiter,
  createExponentialRateLimiter,
} from '../../../src/controller/rate-limiter.js';
import { createFakeClock } from './fake-clock.js';

test('exponential backoff doubles from 5 ms per item and caps at 1000 s', () => {
  const limiter = createExponentialRateLimiter<string>();
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.when('a')), [5, 10, 20, 40]);
  assert.equal(limiter.when('b'), 5, 'another item has its own history');
  for (let i = 0; i < 100; i++) limiter.when('a');
  assert.equal(limiter.when('a'), 1_000_000);
  assert.equal(limiter.numRequeues('a'), 105);
});

test('forget resets an item backoff to the base delay', () => {
  const limiter = createExponentialRateLimiter<string>();
  limiter.when('a');
  limiter.when('a');
  limiter.forget('a');
  assert.equal(limiter.numRequeues('a'), 0);
  assert.equal(limiter.when('a'), 5);
});

test('token bucket lets a burst of 100 through then spaces items at 10 qps', async () => {
  const clock = createFakeClock();
  const limiter = createBucketRateLimiter<string>({ clock });
  for (let i = 0; i < 100; i++) assert.equal(limiter.when(`k${i}`), 0);
  assert.equal(limiter.when('x'), 100);
  assert.equal(limiter.when('y'), 200);
  await clock.advance(1000);
  // 10 tokens refilled, 2 of them already reserved: 8 free, then waiting again.
  for (let i = 0; i < 8; i++) assert.equal(limiter.when(`z${i}`), 0);
  assert.equal(limiter.when('w'), 100);
});

test('default controller limiter takes the larger of backoff and bucket', () => {
  const clock = createFakeClock();
  const limiter = createDefaultControllerRateLimiter<string>({ clock, burst: 1, qps: 10 });
  assert.equal(limiter.when('a'), 5, 'bucket has a token, backoff says 5 ms');
  assert.equal(limiter.when('a'), 100, 'bucket empty: 100 ms beats 10 ms backoff');
  assert.equal(limiter.numRequeues('a'), 2);
});
