import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyStats } from '../../../src/cel/values.js';
import { rewriteHasMacro, rewriteOptionalValue, swapLogicalOperands } from '../../../src/schema/cel-rewrites.js';
import { escapeCelField } from '../../../src/schema/cel-value.js';
import { createSchemaCelEnvironment } from '../../../src/schema/kubernetes-extensions.js';

const env = createSchemaCelEnvironment();
const run = (expression: string) => env.compile(rewriteHasMacro(expression)).evaluateConverted({ self: null, oldSelf: null }, emptyStats());

describe('Kubernetes CEL libraries for schema rules', () => {
  it('compares and adds quantities exactly', () => {
    assert.equal(run("quantity('1Gi').isGreaterThan(quantity('1000Mi'))"), true);
    assert.equal(run("quantity('500m').add(quantity('0.5')).compareTo(quantity('1'))"), 0n);
    assert.equal(run("quantity('2k').asInteger()"), 2000n);
    assert.equal(run("quantity('1.5').isInteger()"), false);
    assert.equal(run("isQuantity('1.5x')"), false);
    assert.equal(run("quantity('-3').sign()"), -1n);
  });

  it('parses URLs as url.ParseRequestURI does', () => {
    assert.equal(run("url('https://a.example:8443/p?q=1&q=2').getHost()"), 'a.example:8443');
    assert.equal(run("url('https://a.example:8443/p').getPort()"), '8443');
    assert.equal(run("url('https://[::1]:80/').getHostname()"), '::1');
    assert.equal(run("url('https://a.example/p?q=1&q=2').getQuery()['q'][1]"), '2');
    assert.equal(run("url('/relative/path').getEscapedPath()"), '/relative/path');
    assert.equal(run("isURL('not a url')"), false);
    assert.equal(run("isURL('https://a.example/#frag')"), false);
  });

  it('rewrites has() on operands cel-js cannot expand, leaving strings and simple chains alone', () => {
    assert.equal(rewriteHasMacro('has(self.a.b)'), 'has(self.a.b)');
    assert.equal(rewriteHasMacro('has(self[0].matches) && x'), "pclHasField(self[0], 'matches') && x");
    assert.equal(rewriteHasMacro("'has(self[0].m)' == s"), "'has(self[0].m)' == s");
  });

  it('rewrites optional .value() calls, not fields named value nor strings', () => {
    assert.equal(rewriteOptionalValue("!oldSelf.hasValue() || self > oldSelf.value()"), '!oldSelf.hasValue() || self > oldSelf.pclOptionalValue()');
    assert.equal(rewriteOptionalValue("self.value == 'x.value()' && self.values().size() > 0"), "self.value == 'x.value()' && self.values().size() > 0");
  });

  it('swaps || and && operands so that, when both fail, the left error is reported as in cel-go', () => {
    assert.equal(swapLogicalOperands('size(self.a) > 0 || size(self.b) > 0'), 'size(self.b) > 0 || size(self.a) > 0');
    assert.equal(swapLogicalOperands('self.x('), 'self.x(');
  });

  it('escapes field names like the apiserver and hides those it cannot escape', () => {
    assert.equal(escapeCelField('a.b-c/d'), 'a__dot__b__dash__c__slash__d');
    assert.equal(escapeCelField('x__y'), 'x__underscores__y');
    assert.equal(escapeCelField('if'), '__if__');
    assert.equal(escapeCelField('1abc'), undefined);
    assert.equal(escapeCelField('a b'), undefined);
  });
});
