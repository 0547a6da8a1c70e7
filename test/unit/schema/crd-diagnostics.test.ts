/**
 * A CRD the apiserver accepts never stops Portcullis: a check it cannot
 * compile is skipped and reported (registry diagnostics, a log line once and
 * a gauge in serve, a warning in review and test); the CRD's other checks
 * still run. A broken CRD file is still an error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createValidateHandler } from '../../../src/admission/handlers.js';
import { reportUncheckedChecks } from '../../../src/server/unchecked-checks.js';
import { runReview } from '../../../src/cli/review.js';
import { runTest } from '../../../src/cli/test.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { LoadError } from '../../../src/kube/load-error.js';
import { diagnosticMessage } from '../../../src/schema/crd-diagnostics.js';
import { loadRuntimeConfig } from '../../../src/server/admission-runtime.js';
import { createWebhookConfigLoader } from '../../../src/server/webhook-config.js';

/** UNKNOWN_FUNCTION stands for any function a CEL rule may call that Portcullis's engine does not know. */
const UNKNOWN_FUNCTION = 'portcullisHasNoSuchFunction(self)';
const crdYaml = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: probes.example.com}
spec:
  group: example.com
  names: {kind: Probe, plural: probes}
  scope: Namespaced
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
            x-kubernetes-validations:
            - rule: "${UNKNOWN_FUNCTION}"
            - rule: "self.size <= 3"
              message: size at most 3
            properties:
              size: {type: integer}
              code:
                type: string
                maxLength: 2
                x-kubernetes-validations:
                - rule: "self.portcullisNoSuchMethod()"
`;

const dir = mkdtempSync(join(tmpdir(), 'portcullis-diag-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const crdFile = join(dir, 'probes.yaml');
writeFileSync(crdFile, crdYaml);
const probe = (spec: JsonObject): JsonObject => ({ apiVersion: 'example.com/v1', kind: 'Probe', metadata: { name: 'p', namespace: 'n' }, spec });
const review = (spec: JsonObject) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u', kind: { group: 'example.com', version: 'v1', kind: 'Probe' }, resource: { group: 'example.com', version: 'v1', resource: 'probes' }, operation: 'CREATE', userInfo: { username: 'u' }, object: probe(spec), oldObject: null },
});

describe('CRD checks Portcullis cannot compile', () => {
  it('load anyway, listed as diagnostics naming CRD, version, field and check; the other checks still run', async () => {
    const config = await loadRuntimeConfig({ crdPaths: [crdFile], policyPaths: [] });
    assert.deepEqual(config.crds.diagnostics.map((d) => [d.crd, d.version, d.field, d.what]), [
      ['probes.example.com', 'v1', 'spec', `x-kubernetes-validations rule "${UNKNOWN_FUNCTION}"`],
      ['probes.example.com', 'v1', 'spec.code', 'x-kubernetes-validations rule "self.portcullisNoSuchMethod()"'],
    ]);
    assert.match(diagnosticMessage(config.crds.diagnostics[0]!), /^CRD probes\.example\.com \(.*probes\.yaml\) version v1: x-kubernetes-validations rule ".*" at spec is not checked by Portcullis \(the apiserver still checks it\): /);
    const validate = createValidateHandler({ chain: () => config.chain });
    const causes = (spec: JsonObject) => validate(review(spec).request as never).status?.details?.causes?.map((c) => `${c.field}: ${c.message}`);
    assert.deepEqual(causes({ size: 4, code: 'x' }), ['spec: Invalid value: size at most 3']);
    assert.deepEqual(causes({ size: 1, code: 'xyz' })?.[0], 'spec.code: Too long: may not be more than 2 bytes');
  });

  it('serve logs each once and counts them per CRD', async () => {
    const config = await loadRuntimeConfig({ crdPaths: [crdFile], policyPaths: [] });
    const lines: JsonObject[] = [];
    const gauge = new Map<string, number>();
    const report = { logger: { warn: (o: object) => void lines.push(o as JsonObject) }, gauge: { reset: () => gauge.clear(), set: (l: { crd: string }, n: number) => void gauge.set(l.crd, n) }, logged: new Set<string>() };
    reportUncheckedChecks(config.crds.diagnostics, report as never);
    reportUncheckedChecks(config.crds.diagnostics, report as never); // a reload
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => l['check']), [`x-kubernetes-validations rule "${UNKNOWN_FUNCTION}"`, 'x-kubernetes-validations rule "self.portcullisNoSuchMethod()"']);
    assert.deepEqual([...gauge], [['probes.example.com', 2]]);
  });

  it('the webhook config loader serve uses reports them', async () => {
    const warned: JsonObject[] = [];
    const gauge = new Map<string, number>();
    const logger = { info: () => undefined, warn: (o: object) => void warned.push(o as JsonObject) };
    const load = createWebhookConfigLoader(logger as never, { reset: () => gauge.clear(), set: (l: { crd: string }, n: number) => void gauge.set(l.crd, n) } as never);
    const config = await load({ crdPaths: [crdFile], policyPaths: [mkdtempSync(join(dir, 'policies-'))] });
    assert.equal(config.crds.diagnostics.length, 2);
    assert.equal(warned.length, 2);
    assert.deepEqual([...gauge], [['probes.example.com', 2]]);
  });

  it('review prints them as warnings and still judges the object', async () => {
    const file = join(dir, 'review.json');
    writeFileSync(file, JSON.stringify(review({ size: 1 })));
    let out = '';
    let err = '';
    const policies = mkdtempSync(join(dir, 'policies-'));
    const code = await runReview(['--crds', crdFile, '--policies', policies, '--endpoint', 'validate', file], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stdin: async () => '' });
    assert.equal(code, 0, out + err);
    assert.equal(err.split('\n').filter((l) => l.startsWith('warning: CRD probes.example.com')).length, 2);
  });

  it('test prints them as warnings too', async () => {
    const policies = mkdtempSync(join(dir, 'policies-'));
    let err = '';
    await runTest(['--crds', crdFile, '--policies', policies], { stdout: () => undefined, stderr: (s) => void (err += s) }).catch((e: Error) => void (err += e.message));
    assert.equal(err.split('\n').filter((l) => l.startsWith('warning: CRD probes.example.com')).length, 2, err);
  });

  it('a broken CRD file is still an error, and so is a pattern RE2 (like the apiserver\'s Go regexp) rejects', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, crdYaml.replace('scope: Namespaced', 'scope: Galactic'));
    await assert.rejects(loadRuntimeConfig({ crdPaths: [broken], policyPaths: [] }), (e: unknown) => e instanceof LoadError && /spec\.scope/.test(e.message));
    writeFileSync(broken, crdYaml.replace('maxLength: 2', 'maxLength: 2\n                pattern: "^(?=x)"'));
    await assert.rejects(loadRuntimeConfig({ crdPaths: [broken], policyPaths: [] }), (e: unknown) => e instanceof LoadError && e.message.includes('(?=x)'));
  });
});
