import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInflightBudget, OverloadedError } from '../../../src/server/inflight-budget.js';

describe('createInflightBudget', () => {
  it('refuses a review that would take the bytes in flight past the bound, and takes it once others are released', () => {
    const seen: number[] = [];
    const budget = createInflightBudget(3 * 1024 * 1024, (bytes) => seen.push(bytes));
    const a = budget.reserve(2 * 1024 * 1024);
    const b = budget.reserve(1024 * 1024);
    assert.throws(() => budget.reserve(1), (err: unknown) => err instanceof OverloadedError && err.httpStatus === 429 && /past the 3145728-byte bound/.test(err.message));
    a();
    a(); // a release counts once
    assert.equal(budget.inUse(), 1024 * 1024);
    const c = budget.reserve(2 * 1024 * 1024);
    b();
    c();
    assert.equal(budget.inUse(), 0);
    assert.deepEqual(seen, [2097152, 3145728, 1048576, 3145728, 2097152, 0]);
  });

  it('always takes one review alone, whatever its size', () => {
    const budget = createInflightBudget(1024);
    const release = budget.reserve(7 * 1024 * 1024);
    assert.throws(() => budget.reserve(1), OverloadedError);
    release();
  });
});
