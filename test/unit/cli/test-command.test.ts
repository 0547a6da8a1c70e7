import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTest } from '../../../src/cli/test.js';

const POLICY = `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: team}
spec:
  match:
    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]
  rules:
    - name: team-label
      metadata: {labels: {required: [{key: team}]}}
`;

const suite = (expectAllowed: boolean) => `apiVersion: portcullis.dev/v1alpha1
kind: PolicyTest
metadata: {name: team}
spec:
  cases:
    - name: unlabelled widget is denied
      object: {apiVersion: demo.portcullis.dev/v1, kind: Widget, metadata: {name: w, namespace: default}, spec: {image: nginx}}
      expect: {allowed: false, code: 422, message: 'label "team" is required'}
    - name: second case
      object: {apiVersion: demo.portcullis.dev/v1, kind: Widget, metadata: {name: w, namespace: default}, spec: {image: nginx}}
      expect: {allowed: ${expectAllowed}}
`;

describe('portcullis test', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pcl-test-cmd-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(expectAllowed: boolean): Promise<{ code: number; lines: string[] }> {
    await writeFile(path.join(dir, 'policy.yaml'), POLICY);
    await writeFile(path.join(dir, 'suite.yaml'), suite(expectAllowed));
    let out = '';
    const code = await runTest(['--policies', dir], { stdout: (s) => void (out += s), stderr: () => undefined });
    return { code, lines: out.trimEnd().split('\n') };
  }

  it('prints one line per case and "N passed, N failed", exiting 0 when all pass', async () => {
    const { code, lines } = await run(false);
    assert.equal(code, 0);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^PASS .*suite\.yaml: team: unlabelled widget is denied$/);
    assert.equal(lines[2], '2 passed, 0 failed, 0 skipped');
  });

  it('prints what differs and exits 1 when a case fails', async () => {
    const { code, lines } = await run(true);
    assert.equal(code, 1);
    assert.match(lines[1]!, /^FAIL .*: team: second case$/);
    assert.match(lines[2]!, /^\s+allowed: expected true, got false/);
    assert.equal(lines.at(-1), '1 passed, 1 failed, 0 skipped');
  });

  it('fails to load a malformed suite with file, document and field', async () => {
    await writeFile(path.join(dir, 'suite.yaml'), 'apiVersion: portcullis.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: [{name: x, expect: {allowed: true}}]}\n');
    await assert.rejects(runTest(['--policies', dir], { stdout: () => undefined, stderr: () => undefined }), /suite\.yaml: document 0: spec\.cases\[0\]: a case needs review, object or oldObject/);
  });
});
