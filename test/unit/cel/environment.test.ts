import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Environment } from '@marcbachmann/cel-js';
import { createCelEnvironment } from '../../../src/cel/environment.js';
import { CelCompileError, CelEvaluationError } from '../../../src/cel/errors.js';
import type { CelLibrary } from '../../../src/cel/library.js';

const env = createCelEnvironment();
const run = (expression: string, activation = {}) => env.compile(expression).evaluate(activation);

describe('cel environment', () => {
  it('reads object, oldObject and request with whole numbers as ints', () => {
    const activation = { object: { spec: { replicas: 3 } }, oldObject: { spec: { replicas: 2 } }, request: { userInfo: { username: 'ann' } } };
    assert.equal(run('object.spec.replicas + 1 == 4 && oldObject.spec.replicas == 2', activation), true);
    assert.equal(run('request.userInfo.username', activation), 'ann');
  });

  it('treats a missing object as null', () => {
    assert.equal(run('object == null', {}), true);
  });

  it('rejects syntax errors at compile time with a coded error', () => {
    assert.throws(() => env.compile('1 +'), (err: unknown) => err instanceof CelCompileError && err.code === 'PCL_ERR_CEL_COMPILE');
  });

  it('rejects an expression of the wrong static type', () => {
    assert.throws(() => env.compile('1 + 1', { resultType: 'bool' }), /must evaluate to bool, not int/);
    assert.doesNotThrow(() => env.compile('object.spec.enabled', { resultType: 'bool' }));
  });

  it('rejects undeclared variables', () => {
    assert.throws(() => env.compile('params.x == 1'), CelCompileError);
  });

  it('bounds the expression length and AST size', () => {
    const small = createCelEnvironment({ limits: { maxLength: 20 } });
    assert.throws(() => small.compile('1 + 1 + 1 + 1 + 1 + 1 + 1'), /longer than 20/);
    const tiny = createCelEnvironment({ limits: { maxAstNodes: 5 } });
    assert.throws(() => tiny.compile('1 + 2 + 3 + 4 + 5 + 6 + 7'), CelCompileError);
  });

  it('refuses an evaluation whose estimated cost is over the bound', () => {
    const bounded = createCelEnvironment({ limits: { maxCost: 10_000 } });
    const program = bounded.compile('object.l.all(x, object.l.exists(y, x == y))');
    assert.equal(program.evaluate({ object: { l: [1, 2, 3] } }), true);
    const long = Array.from({ length: 200 }, (_, i) => i);
    assert.throws(() => program.evaluate({ object: { l: long } }), (err: unknown) => err instanceof CelEvaluationError && /estimated cost/.test(err.message));
  });

  it('counts map sizes in the cost bound, since comprehensions iterate map keys', () => {
    const bounded = createCelEnvironment({ limits: { maxCost: 10_000 } });
    const program = bounded.compile('object.m.all(k, object.m.all(j, k != "" && j != ""))');
    const m = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(() => program.evaluate({ object: { m } }), /estimated cost/);
  });

  it('reports runtime errors such as a missing key as CelEvaluationError', () => {
    assert.throws(() => run('object.spec.missing == 1', { object: { spec: {} } }), CelEvaluationError);
  });

  it('keeps __proto__ keys as plain data', () => {
    const object = JSON.parse('{"metadata":{"labels":{"__proto__":"x"}}}');
    assert.equal(run('object.metadata.labels["__proto__"] == "x"', { object }), true);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  it('accepts extra libraries, which can add functions', () => {
    const double: CelLibrary = {
      name: 'double',
      functions: ['int.twice(): int'],
      register(e: Environment) {
        e.registerFunction('int.twice(): int', (n: bigint) => n * 2n);
      },
    };
    const extended = createCelEnvironment({ extraLibraries: [double] });
    assert.equal(extended.compile('object.n.twice()').evaluate({ object: { n: 21 } }), 42n);
    assert.deepEqual(extended.libraries.map((l) => l.name), ['strings', 'lists', 'regex', 'double']);
  });

  it('accepts custom variables', () => {
    const custom = createCelEnvironment({ variables: { self: 'dyn', oldSelf: 'dyn' } });
    assert.equal(custom.compile('self.a > oldSelf.a').evaluate({ self: { a: 2 }, oldSelf: { a: 1 } }), true);
  });
});

describe('CEL error messages', () => {
  it('name a replaced function as the user wrote it, never by its internal replacement', () => {
    const env = createCelEnvironment({ variables: { object: 'dyn' } });
    const program = env.compile("object.hostPort.matches('^.*:[0-9]+$')");
    assert.throws(
      () => program.evaluate({ object: { hostPort: 8080 } }),
      (err: Error) => /int\.matches\(string\)/.test(err.message) && !/pcl/i.test(err.message),
    );
    assert.throws(() => env.compile("1.matches('x')"), (err: Error) => !/pclRe2Matches/.test(err.message));
  });
});
