import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'review', ...args], { encoding: 'utf8', input, timeout: 60_000 });

describe('portcullis review', () => {
  it('prints the response review and exits 0 when allowed', () => {
    const res = run(['test/fixtures/admission/widget-create-valid.json']);
    assert.equal(res.status, 0, res.stderr);
    const review = JSON.parse(res.stdout);
    assert.equal(review.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(review.response.allowed, true);
  });

  it('exits 1 when denied and prints the causes', () => {
    const res = run(['--endpoint', 'validate', 'test/fixtures/admission/widget-create-invalid.json']);
    assert.equal(res.status, 1);
    assert.equal(JSON.parse(res.stdout).response.status.code, 422);
  });

  it('shows the decoded patch and the resulting object', () => {
    const res = run(['--show-patch', 'test/fixtures/admission/widget-create-needs-defaults.json']);
    assert.equal(res.status, 0, res.stderr);
    const [, patchPart, objectPart] = res.stdout.split(/^--- (?:patch|object)$/m);
    assert.deepEqual(JSON.parse(patchPart as string)[0], { op: 'add', path: '/spec/hooks/0/timeoutSeconds', value: 5 });
    assert.equal(JSON.parse(objectPart as string).spec.replicas, 1);
  });

  it('reads standard input with -', () => {
    const res = run(['-'], readFileSync('test/fixtures/admission/widget-delete.json', 'utf8'));
    assert.equal(res.status, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).response.patch, undefined);
  });

  it('exits 2 with a clear message on bad input or usage', () => {
    const bad = run(['-'], '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /request must be an object/);
    const usage = run(['--endpoint', 'nope', 'x.json']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--endpoint must be mutate or validate/);
  });
});
