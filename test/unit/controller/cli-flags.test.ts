import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/args.js';
import { CONTROLLER_USAGE, parseDuration } from '../../../src/cli/controller.js';

test('durations accept ms, s, m, h and bare seconds', () => {
  assert.equal(parseDuration('500ms', 0, '--x'), 500);
  assert.equal(parseDuration('2s', 0, '--x'), 2000);
  assert.equal(parseDuration('1.5s', 0, '--x'), 1500);
  assert.equal(parseDuration('10m', 0, '--x'), 600_000);
  assert.equal(parseDuration('1h', 0, '--x'), 3_600_000);
  assert.equal(parseDuration('15', 0, '--x'), 15_000);
  assert.equal(parseDuration(undefined, 42, '--x'), 42);
});

test('a malformed duration is a usage error naming the flag', () => {
  assert.throws(() => parseDuration('soon', 0, '--resync'), (err: unknown) => err instanceof UsageError && /--resync/.test((err as Error).message));
  assert.throws(() => parseDuration('-1s', 0, '--resync'), UsageError);
});

test('usage documents the leader election defaults', () => {
  for (const text of ['--leader-elect-lease-duration D    (default 15s)', '(default 10s)', '(default 2s)', '--kubeconfig']) {
    assert.ok(CONTROLLER_USAGE.includes(text), text);
  }
});
