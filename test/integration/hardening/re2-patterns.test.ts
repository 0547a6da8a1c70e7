import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadRuntimeConfig } from '../../../src/server/admission-runtime.js';
import { startHardeningServer } from './support/hardening-server.js';
import type { HardeningServer } from './support/hardening-server.js';

/*
 * CRD `pattern` fields follow Go RE2 semantics, as the apiserver evaluates
 * them, with a linear-time engine: no pattern can stall the server with
 * catastrophic backtracking, and patterns RE2 rejects fail at load, naming
 * the file and the field.
 */

const PATTERNS: Record<string, string> = {
  catastrophic: '^(a+)+$',
  nested: '^(a|aa)*c$',
  unanchored: 'abc',
  endOfText: '^a$',
  unicodeLetters: '^\\pL+$',
  posixClass: '^[[:alpha:]]+$',
  caseInsensitive: '(?i)^abc$',
};

function crdYaml(patterns: Record<string, string>): string {
  const properties = Object.entries(patterns)
    .map(([field, pattern]) => `                ${field}:\n                  type: string\n                  pattern: ${JSON.stringify(pattern)}`)
    .join('\n');
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: patterns.hardening.portcullis.dev
spec:
  group: hardening.portcullis.dev
  scope: Namespaced
  names: {kind: Pattern, plural: patterns, singular: pattern}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
${properties}
                cel:
                  type: string
`;
}

const CEL_POLICY = `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata:
  name: cel-catastrophic-pattern
spec:
  match:
    resources: [{apiGroups: [hardening.portcullis.dev], kinds: [Pattern]}]
  rules:
    - name: no-as
      cel:
        expression: "!has(object.spec.cel) || !object.spec.cel.matches('^(a+)+$')"
        message: cel must not be all a's
`;

function review(spec: Record<string, string>): string {
  const gvk = { group: 'hardening.portcullis.dev', version: 'v1', kind: 'Pattern' };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'a1b2c3d4-0000-4000-8000-000000000001',
      kind: gvk,
      resource: { group: gvk.group, version: 'v1', resource: 'patterns' },
      name: 'p',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'tester' },
      object: { apiVersion: 'hardening.portcullis.dev/v1', kind: 'Pattern', metadata: { name: 'p', namespace: 'default' }, spec },
      oldObject: null,
      dryRun: false,
    },
  });
}

let dir: string;
let server: HardeningServer;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-re2-'));
  await writeFile(path.join(dir, 'crd.yaml'), crdYaml(PATTERNS));
  await writeFile(path.join(dir, 'policy.yaml'), CEL_POLICY);
  server = await startHardeningServer({ crdPaths: [path.join(dir, 'crd.yaml')], policyPaths: [path.join(dir, 'policy.yaml')] });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('catastrophic backtracking patterns answer in linear time', () => {
  for (const [field, input] of [
    ['catastrophic', `${'a'.repeat(100_000)}b`],
    ['nested', 'a'.repeat(100_000)],
  ] as const) {
    it(`denies ${PATTERNS[field]} against ${input.length} characters within a second`, async () => {
      const answer = await server.post('/validate', review({ [field]: input }));
      assert.equal(answer.status, 200);
      assert.ok(answer.ms < 1000, `took ${answer.ms.toFixed(0)} ms`);
      assert.equal(answer.json.response.allowed, false);
      assert.match(answer.json.response.status.message, new RegExp(`spec\\.${field} in body should match`));
    });
  }

  it('evaluates a CEL matches() on a catastrophic pattern in linear time too', async () => {
    const answer = await server.post('/validate', review({ cel: `${'a'.repeat(20_000)}b` }));
    assert.equal(answer.status, 200);
    assert.ok(answer.ms < 1000, `took ${answer.ms.toFixed(0)} ms`);
    assert.equal(answer.json.response.allowed, true, JSON.stringify(answer.json.response.status));
    const denied = await server.post('/validate', review({ cel: 'a'.repeat(20_000) }));
    assert.equal(denied.json.response.allowed, false);
  });
});

describe('Go RE2 semantics, as the apiserver applies them', () => {
  const cases: [field: string, value: string, matches: boolean, why: string][] = [
    ['unanchored', 'xxabcxx', true, 'a pattern matches anywhere unless anchored (Go MatchString)'],
    ['unanchored', 'ab', false, 'no match anywhere'],
    ['endOfText', 'a', true, '$ at the end of the text'],
    ['endOfText', 'a\n', false, '$ does not match before a final newline without (?m)'],
    ['unicodeLetters', 'héllo', true, '\\pL is a Unicode letter class'],
    ['unicodeLetters', 'h3llo', false, 'a digit is not a letter'],
    ['posixClass', 'abcXYZ', true, 'POSIX classes inside brackets'],
    ['posixClass', 'abc-', false, 'POSIX alpha excludes punctuation'],
    ['caseInsensitive', 'ABC', true, '(?i) flag group'],
  ];
  for (const [field, value, matches, why] of cases) {
    it(`${matches ? 'accepts' : 'rejects'} ${JSON.stringify(value)} for ${PATTERNS[field]}: ${why}`, async () => {
      const answer = await server.post('/validate', review({ [field]: value }));
      assert.equal(answer.status, 200);
      assert.equal(answer.json.response.allowed, matches, JSON.stringify(answer.json.response.status?.message));
    });
  }
});

describe('patterns RE2 rejects are reported at load', () => {
  const rejected: [pattern: string, why: string][] = [
    ['^(?=a)a$', 'lookahead'],
    ['^(a)\\1$', 'backreference'],
    ['^a++$', 'possessive quantifier'],
    ['^a{1001}$', 'repeat count over 1000'],
  ];
  for (const [pattern, why] of rejected) {
    it(`refuses a CRD with ${JSON.stringify(pattern)} (${why}), naming the file, the field and the pattern`, async () => {
      const file = path.join(dir, `bad-${why.replace(/\W+/g, '-')}.yaml`);
      await writeFile(file, crdYaml({ bad: pattern }));
      await assert.rejects(loadRuntimeConfig({ crdPaths: [file], policyPaths: [] }), (err: Error) => {
        assert.ok(err.message.includes(file), err.message);
        assert.match(err.message, /spec\.versions\[0\]\.schema\.openAPIV3Schema/);
        assert.ok(err.message.includes(JSON.stringify(pattern)), err.message);
        return true;
      });
    });
  }

  it('refuses a policy whose label pattern RE2 rejects', async () => {
    const file = path.join(dir, 'bad-policy.yaml');
    await writeFile(
      file,
      `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata:
  name: bad-pattern
spec:
  match:
    resources: [{apiGroups: [hardening.portcullis.dev], kinds: [Pattern]}]
  rules:
    - name: team
      metadata:
        labels:
          required:
            - key: team
              pattern: '^(?!admin)[a-z]+$'
`,
    );
    await assert.rejects(loadRuntimeConfig({ crdPaths: [path.join(dir, 'crd.yaml')], policyPaths: [file] }), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /pattern/);
      return true;
    });
  });
});
