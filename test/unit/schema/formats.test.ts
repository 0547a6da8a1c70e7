/**
 * Formats as the apiserver's format registry (kube-openapi strfmt.Default)
 * checks them. The valid and invalid values are those of kube-openapi's own
 * tests (pkg/validation/strfmt default_test.go, duration_test.go, pinned
 * with k8s.io/apiextensions-apiserver v0.37.2), plus the cases issue 12 found
 * against a real apiserver (`byte: ""`, `duration: "5 minutes"`) and the
 * differential's targeted cases found (`email: "root@localhost"`, integer
 * range errors).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/kube/types.js';
import { errorString } from '../../../src/kube/field-error.js';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { effectiveFormat, formatChecker } from '../../../src/schema/formats.js';

const cases: Record<string, { valid: string[]; invalid: string[] }> = {
  uri: { valid: ['http://somewhere.com', 'http://somewhereelse.com', '/absolute/path', 'mailto:a@b.c'], invalid: ['somewhere.com', '', 'http://a b.com', 'http://x.com/%zz'] },
  email: {
    valid: ['blah@gmail.com', 'test@d.verylongtoplevel', 'email+tag@gmail.com', '" "@example.com', '"Abc\\@def"@example.com', '"Fred Bloggs"@example.com', '"Joe\\\\Blow"@example.com', '"Abc@def"@example.com', 'customer/department=shipping@example.com', '$A12345@example.com', '!def!xyz%abc@example.com', '_somename@example.com', "!#$%&'*+-/=?^_`{}|~@example.com", "Miles.O'Brian@example.com", 'postmaster@☁→❄→☃→☀→☺→☂→☹→✝.ws', 'root@localhost', 'john@com', 'api@piston.ninja', 'Jane Doe <jane@example.com>', 'jane@example.com (Jane)'],
    invalid: ['somebody@somewhere@com', '', 'plain', 'a@', '@b', '.a@b', 'a..b@c', 'a@b.', '""@example.com', 'Jane <jane@example.com'],
  },
  hostname: {
    valid: ['somewhere.com', '888.com', 'a.b.c.d.e.com', '1.2.3.4.com', '1wwworg.example.com', 'xn--bcher-kva.example.com', 'xn-80ak6aa92e.co', '☁→❄→☃→☀→☺→☂→☹→✝.ws', 'www.example.ôlà', 'ôlà.ôlà.ôlà', 'ex$ample', 'localhost', 'x', 'x-y', 'ex=ample.com', '<foo>', 'www.詹姆斯.london'],
    invalid: ['somewhere.com!', 'user@email.domain', '1.1.1.1', 'www.example-.org', 'www.--example.org', '-www.example.org', 'www-', '-www', 'www.ex ample.org', '_www.example.org', 'www.example_underscored.org', 'www.詹姆斯.x', 'a.b.c.d', 'x.', 'a.b.c.dot-', 'a'.repeat(256), `x.y.${'a'.repeat(64)}`],
  },
  ipv4: { valid: ['127.0.0.1', '192.168.1.1', '192.168.1.01', '::ffff:1.2.3.4'], invalid: ['198.168.254.2.2', '256.1.1.1', '1.2.3', '::1'] },
  ipv6: { valid: ['::1', '::2', '2001:db8::1', '1:2:3:4:5:6:7:8', '::ffff:1.2.3.4'], invalid: ['127.0.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', ':1'] },
  cidr: { valid: ['192.0.2.1/24', '192.0.02.1/24', '2001:db8:a0b:12f0::1/32', '10.0.0.0/032'], invalid: ['198.168.254.2', '2001:db8:a0b:12f0::1', '10.0.0.0/33', '10.0.0.0/'] },
  mac: { valid: ['01:02:03:04:05:06', '01-02-03-04-05-06', '0102.0304.0506', '01:02:03:04:05:06:07:08'], invalid: ['01:02:03:04:05', '01:02-03:04:05:06', '0102.0304.05'] },
  uuid: { valid: ['a0b1c2d3-e4f5-0617-2839-4a5b6c7d8e9f', 'A0B1C2D3E4F506172839A5B6C7D8E9F0'], invalid: ['not-a-uuid'] },
  isbn: { valid: ['0321751043', '978-0321751041'], invalid: ['836217463', '0321751044'] },
  isbn10: { valid: ['0321751043'], invalid: ['836217463'] },
  isbn13: { valid: ['978-0321751041'], invalid: ['978-0321751042'] },
  hexcolor: { valid: ['#FFFFFF', '#000000', 'fff'], invalid: ['#fffffffz'] },
  rgbcolor: { valid: ['rgb(255,255,255)', 'rgb(0,0,0)', 'rgb( 1 , 2 , 3 )'], invalid: ['rgb(300,0,0)', 'rgb(01,0,0)'] },
  ssn: { valid: ['111-11-1111', '999 99 9999'], invalid: ['999 99 999', '111111111'] },
  creditcard: { valid: ['4111-1111-1111-1111', '4012-8888-8888-1881'], invalid: ['9999-9999-9999-999', '4111-1111-1111-1112'] },
  password: { valid: ['super secret stuff here', ''], invalid: [] },
  byte: { valid: ['aGVsbG8=', 'aGk=', 'YWJj'], invalid: ['', 'aGVsbG8', 'a===', 'aGVs bG8='] },
  date: { valid: ['2024-02-29', '2023-12-31'], invalid: ['2023-02-29', '2023-13-01', '23-01-01', '2023-1-01'] },
  'date-time': { valid: ['2014-12-15T19:30:20.000Z', '2014-12-15t19:30:20z', '2014-12-15T19:30:20+01:00'], invalid: ['2014-12-15', '2014-12-15T24:00:00Z', '2014-12-15T19:30:20', '2014-02-30T19:30:20Z'] },
  duration: {
    valid: ['1ns', '1us', '1µs', '1ms', '1s', '1m', '1h', '1hr', '1d', '1w', '1wk', '1nanoseconds', '1micros', '1milliseconds', '1second', '1minute', '1hour', '1day', '1week', '1  ns', '1  hr', '1  week', '5 minutes', '1h30m', '-1.5s', '0', 'P1D', '3 days ago'],
    invalid: ['45 wekk', '', 'forever', '1x', '1.5 hours'.replace('1.5', '.'), '99999999999999999999s'],
  },
  'k8s-short-name': { valid: ['abc', 'a-1'], invalid: ['ABC', 'a.b', 'a'.repeat(64)] },
  'k8s-long-name': { valid: ['a.b-c.d'], invalid: ['a..b', '-a'] },
};

describe('formats as the apiserver checks them', () => {
  for (const [format, { valid, invalid }] of Object.entries(cases)) {
    it(`${format}: accepts and refuses what strfmt does`, () => {
      const check = formatChecker(format, 'string');
      assert.ok(check, `${format} is checked`);
      for (const v of valid) assert.equal(check(v), true, `${format} ${JSON.stringify(v)} is valid`);
      for (const v of invalid) assert.equal(check(v), false, `${format} ${JSON.stringify(v)} is invalid`);
    });
  }

  it('keeps a format only where the apiserver does: string formats on strings, int32/int64 on integers, float/double on numbers', () => {
    assert.equal(effectiveFormat('byte', 'string'), 'byte');
    assert.equal(effectiveFormat('date-time', undefined), 'date-time');
    assert.equal(effectiveFormat('byte', 'integer'), '');
    assert.equal(effectiveFormat('int32', 'integer'), 'int32');
    assert.equal(effectiveFormat('int32', 'string'), '');
    assert.equal(effectiveFormat('double', 'number'), 'double');
    assert.equal(effectiveFormat('date-time', 'object'), '');
    assert.equal(effectiveFormat('uint8', 'integer'), '');
    assert.equal(formatChecker('int32', 'integer'), undefined);
  });
});

describe('numbers that do not fit their type and format (differential: Probe int32 1.5, found against kube-apiserver v1.37.2)', () => {
  const schema = {
    type: 'object' as const,
    properties: {
      i32: { type: 'integer' as const, format: 'int32' },
      i: { type: 'integer' as const, format: 'byte' },
      f: { type: 'number' as const, format: 'float' },
      bounded: { type: 'integer' as const, maximum: 1.5 },
    },
  };
  const validator = compileValidator(schema, { decode: true });
  const messages = (object: JsonObject) => validator.validate(object).errors.map(errorString);

  it('reports kube-openapi\'s range error with no field, besides the type error', () => {
    assert.deepEqual(messages({ i32: 1.5 }), ['i32: Invalid value: "float64": i32 in body must be of type int32: "float64"', '<nil>: Invalid value: "": Checked value must be of type integer with format int32 in i32']);
    assert.deepEqual(messages({ i32: 3000000000 }), ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in i32']);
    assert.deepEqual(messages({ i: 1.5 }), ['i: Invalid value: "number": i in body must be of type integer: "number"', '<nil>: Invalid value: "": Checked value must be of type integer (default format) in i']);
    assert.deepEqual(messages({ f: 1e39 }), ['<nil>: Invalid value: "": Checked value must be of type number with format float in f']);
    assert.deepEqual(messages({ i32: 5, f: 1.5 }), []);
  });

  it('a bound that does not fit the type is reported on every value', () => {
    assert.deepEqual(messages({ bounded: 1 }), ['<nil>: Invalid value: "": Maximum boundary value must be of type integer (default format) in bounded']);
  });
});
