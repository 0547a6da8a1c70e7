import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, parseGoDurationNanos } from '../../../src/kube/duration.js';

// Go's own table (src/time/time_test.go, parseDurationTests and parseDurationErrorTests), in nanoseconds.
const S = 1_000_000_000n;
const MIN = 60n * S;
const H = 60n * MIN;
const GO_VALID: Array<[string, bigint]> = [
  ['0', 0n], ['5s', 5n * S], ['30s', 30n * S], ['1478s', 1478n * S],
  ['-5s', -5n * S], ['+5s', 5n * S], ['-0', 0n], ['+0', 0n],
  ['5.0s', 5n * S], ['5.6s', 5n * S + 600_000_000n], ['5.s', 5n * S], ['.5s', 500_000_000n], ['1.0s', S], ['1.00s', S],
  ['1.004s', S + 4_000_000n], ['1.0040s', S + 4_000_000n], ['100.00100s', 100n * S + 1_000_000n],
  ['10ns', 10n], ['11us', 11_000n], ['12µs', 12_000n], ['12μs', 12_000n], ['13ms', 13_000_000n], ['14s', 14n * S], ['15m', 15n * MIN], ['16h', 16n * H],
  ['3h30m', 3n * H + 30n * MIN], ['10.5s4m', 4n * MIN + 10n * S + 500_000_000n], ['-2m3.4s', -(2n * MIN + 3n * S + 400_000_000n)],
  ['1h2m3s4ms5us6ns', H + 2n * MIN + 3n * S + 4_000_000n + 5_000n + 6n], ['39h9m14.425s', 39n * H + 9n * MIN + 14n * S + 425_000_000n],
  ['52763797000ns', 52763797000n], ['0.3333333333333333333h', 20n * MIN], ['9007199254740993ns', (1n << 53n) + 1n],
  ['9223372036854775807ns', (1n << 63n) - 1n], ['9223372036854775.807us', (1n << 63n) - 1n], ['9223372036s854ms775us807ns', (1n << 63n) - 1n],
  ['-9223372036854775808ns', -(1n << 63n)], ['-9223372036854775.808us', -(1n << 63n)], ['-9223372036s854ms775us808ns', -(1n << 63n)],
  ['-2562047h47m16.854775808s', -(1n << 63n)], ['0.100000000000000000000h', 6n * MIN], ['0.830103483285477580700h', 49n * MIN + 48n * S + 372539827n],
];
const GO_INVALID = [
  '', '3', '-', 's', '.', '-.', '.s', '+.s', '1d', '\x85\x85', '\xffff', 'hello \xffff world', '\uFFFD', '\uFFFD hello \uFFFD world',
  '9223372036854775810ns', '9223372036854775808ns', '-9223372036854775809ns', '9223372036854776us', '3000000h', '9223372036854775.808us', '9223372036854ms775us808ns',
];

describe('parseGoDuration', () => {
  it("agrees with Go's time.ParseDuration on Go's own table", () => {
    for (const [text, ns] of GO_VALID) assert.equal(parseGoDurationNanos(text), ns, text);
  });

  it('rejects what Go rejects, overflow included', () => {
    for (const text of [...GO_INVALID, '10', '1s ', ' 1s', '1e3s', '9'.repeat(200) + 's']) assert.equal(parseGoDurationNanos(text), undefined, JSON.stringify(text));
  });

  it('reads the durations the apiserver and flags use, in milliseconds', () => {
    assert.equal(parseGoDuration('10s'), 10_000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('250000us'), 250);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('-2s'), -2000);
    assert.equal(parseGoDuration('30'), undefined);
  });
});
