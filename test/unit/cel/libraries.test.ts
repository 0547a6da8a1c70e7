import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCelEnvironment } from '../../../src/cel/environment.js';
import { CelEvaluationError } from '../../../src/cel/errors.js';

const env = createCelEnvironment();
const run = (expression: string, object: unknown = null) => env.compile(expression).evaluate({ object: object as never });

describe('cel strings library', () => {
  const cases: Array<[string, unknown]> = [
    ['"ÀbC".lowerAscii()', 'Àbc'],
    ['"àbc".upperAscii()', 'àBC'],
    ['"  x ".trim()', 'x'],
    ['"\\u0085\\u00a0x\\t".trim()', 'x'],
    ['"\\ufeffx".trim().size()', 2n],
    ['"a,b,c".split(",")', ['a', 'b', 'c']],
    ['"a,b,c".split(",", 2)', ['a', 'b,c']],
    ['["a", "b"].join("-")', 'a-b'],
    ['"banana".replace("a", "o")', 'bonono'],
    ['"banana".replace("a", "o", 2)', 'bonona'],
    ['"hello".indexOf("l")', 2n],
    ['"hello".lastIndexOf("l")', 3n],
    ['"hello".substring(1, 3)', 'el'],
    ['"héllo".charAt(1)', 'é'],
    ['"hello".charAt(5)', ''],
    ['"abc".reverse()', 'cba'],
    ['"%s has %d replicas (%.2f%%)".format(["w", 3, 12.5])', 'w has 3 replicas (12.50%)'],
    ['"%x %o %b %e".format([255, 8, 5, 1234.5])', 'ff 10 101 1.234500e+03'],
    ['"%s".format([[1, "a"]])', '[1, a]'],
  ];
  for (const [expression, expected] of cases) {
    it(`${expression} is ${JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      assert.deepEqual(run(expression), expected);
    });
  }

  it('charAt out of range is an evaluation error', () => {
    assert.throws(() => run('"abc".charAt(4)'), CelEvaluationError);
  });

  it('format rejects clauses cel-go does not know', () => {
    assert.throws(() => run('"%a".format([1])'), /unrecognized formatting clause %a/);
    assert.equal(run('"%b %d".format([true, double("NaN")])'), '1 NaN');
  });

  it('format with too few arguments is an evaluation error', () => {
    assert.throws(() => run('"%s %s".format(["a"])'), /not enough arguments/);
  });
});

describe('cel lists library', () => {
  const cases: Array<[string, unknown]> = [
    ['[1, 2, 2, 5].isSorted()', true],
    ['[3, 1].isSorted()', false],
    ['["a", "b"].isSorted()', true],
    ['[1, 2, 3].sum()', 6n],
    ['[1.5, 2.5].sum()', 4],
    ['[4, 1, 9].min()', 1n],
    ['[4, 1, 9].max()', 9n],
    ['["b", "a"].min()', 'a'],
    ['[1, 2, 1].indexOf(1)', 0n],
    ['[1, 2, 1].lastIndexOf(1)', 2n],
    ['["x"].indexOf("y")', -1n],
  ];
  for (const [expression, expected] of cases) {
    it(`${expression} is ${String(expected)}`, () => {
      assert.deepEqual(run(expression), expected);
    });
  }

  it('works on lists from the object', () => {
    assert.equal(run('object.spec.ports.max() <= 8080 && object.spec.ports.sum() == 8160', { spec: { ports: [80, 8080] } }), true);
  });

  it('min of an empty list is an evaluation error', () => {
    assert.throws(() => run('object.l.min()', { l: [] }), /empty list/);
  });
});

describe('cel regex library', () => {
  it('matches uses RE2 semantics, not JavaScript RegExp', () => {
    assert.equal(run('"abc".matches("^a.c$")'), true);
    // Lookahead is JavaScript-only: RE2 rejects the pattern instead of running it.
    assert.throws(() => run('"abc".matches("(?=a)abc")'), /invalid regular expression/);
  });

  it('matches runs in linear time on a catastrophic pattern', () => {
    const started = process.hrtime.bigint();
    assert.equal(run('object.s.matches("^(a+)+$")', { s: `${'a'.repeat(5000)}!` }), false);
    assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  });

  it('rewrites matches inside macros too', () => {
    assert.throws(() => run('["a"].all(x, x.matches("(?!b)a"))'), /invalid regular expression/);
  });

  it('find returns the first match or the empty string', () => {
    assert.equal(run('"abc 123 def 456".find("[0-9]+")'), '123');
    assert.equal(run('"abc".find("[0-9]+")'), '');
  });

  it('findAll returns every match, with an optional limit', () => {
    assert.deepEqual(run('"a1b22c333".findAll("[0-9]+")'), ['1', '22', '333']);
    assert.deepEqual(run('"a1b22c333".findAll("[0-9]+", 2)'), ['1', '22']);
  });
});
