import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES, isErrorCode } from '../../../src/kube/error-codes.js';
import { BadBodyError, BadReviewError, BodyTooLargeError, errorMessage, PortcullisError, UnsupportedMediaTypeError } from '../../../src/kube/errors.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const REGISTRY = path.join('src', 'kube', 'error-codes.ts');
const codesInSource = new Map<string, string[]>();
for (const file of sourceFiles('src')) {
  if (file === REGISTRY) continue;
  for (const m of readFileSync(file, 'utf8').matchAll(/'(PCL_ERR_[A-Z_]+)'/g)) {
    const code = m[1] as string;
    codesInSource.set(code, [...(codesInSource.get(code) ?? []), file]);
  }
}

/** Rows of docs/errors.md's table: `| \`CODE\` | status | ...`. */
const documented = [...readFileSync('docs/errors.md', 'utf8').matchAll(/^\| `(PCL_ERR_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => ({ code: m[1] as string, status: (m[2] as string).trim() }));

describe('error codes', () => {
  it('every code the source uses is in the registry', () => {
    const unknown = [...codesInSource.keys()].filter((code) => !isErrorCode(code));
    assert.deepEqual(unknown, []);
  });

  it('every code in the registry is used by an error', () => {
    const unused = Object.keys(ERROR_CODES).filter((code) => !codesInSource.has(code));
    assert.deepEqual(unused, []);
  });

  it('each code belongs to one error module (LoadErrors shares LoadError\'s code: it lists LoadErrors)', () => {
    const shared = [...codesInSource].filter(([code, files]) => new Set(files).size > 1 && code !== 'PCL_ERR_LOAD');
    assert.deepEqual(shared, []);
  });

  it('docs/errors.md lists every code once, with its HTTP status', () => {
    const codes = documented.map((d) => d.code);
    assert.equal(new Set(codes).size, codes.length, 'a code is documented twice');
    assert.deepEqual([...codes].sort(), Object.keys(ERROR_CODES).sort());
    for (const { code, status } of documented) {
      if (code === 'PCL_ERR_API_REQUEST') continue; // the status is the API's answer, documented as such
      assert.equal(status, String(ERROR_CODES[code as keyof typeof ERROR_CODES].httpStatus), code);
    }
  });

  it('coded errors take their HTTP status from the registry, keep the cause, and are named after their class', () => {
    const cause = new Error('inner');
    const err = new BadBodyError('x', { cause });
    assert.equal(err.httpStatus, 400);
    assert.equal(err.cause, cause);
    assert.equal(err.name, 'BadBodyError');
    assert.ok(err instanceof PortcullisError);
    assert.equal(new BadReviewError('x').httpStatus, 400);
    assert.equal(new UnsupportedMediaTypeError('x').httpStatus, 415);
    assert.equal(new BodyTooLargeError(1).httpStatus, 413);
    assert.equal(new PortcullisError('PCL_ERR_API_REQUEST', 'x', { httpStatus: 404 }).httpStatus, 404);
  });

  it('errorMessage prints errors and anything else thrown, never as {}', () => {
    assert.equal(errorMessage(new Error('boom')), 'boom');
    assert.equal(errorMessage('text'), 'text');
    assert.equal(errorMessage(42), '42');
  });
});
