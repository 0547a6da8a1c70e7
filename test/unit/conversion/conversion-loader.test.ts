import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCelExpressionEngine } from '../../../src/conversion/cel-expressions.js';
import { CONVERSION_DATA_ANNOTATION } from '../../../src/conversion/conversion-data.js';
import { loadConversions } from '../../../src/conversion/conversion-loader.js';
import { hashFieldValues } from '../../../src/conversion/field-hash.js';
import { createConversionHandler } from '../../../src/conversion/convert-review.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { loadCrds } from '../../../src/schema/crd-loader.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import { LoadError } from '../../../src/kube/load-error.js';

const engine = createCelExpressionEngine();
let dir: string;
let crontabCrd: CustomResourceDefinition[];
let counter = 0;

/** policyFolder writes files into a fresh folder under dir and returns the folder's `policies` subfolder. */
async function policyFolder(files: Record<string, string>): Promise<string> {
  const root = path.join(dir, `case-${++counter}`);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return path.join(root, 'policies');
}

const doc = (versions: string, extra = '') => `apiVersion: portcullis.dev/v1alpha1
kind: Conversion
metadata: {name: x}
spec:
  group: example.com
  kind: CronTab
${extra}  versions:
${versions}`;
const V1_IDENTITY = '    - name: v1\n';

async function assertLoadError(policies: string, crds: readonly CustomResourceDefinition[], field: RegExp, message: RegExp): Promise<void> {
  await assert.rejects(loadConversions({ policyPaths: [policies], crds, engine }), (err: unknown) => {
    assert.ok(err instanceof LoadError, `LoadError, got ${String(err)}`);
    assert.match(err.field ?? '', field);
    assert.match(err.message, message);
    return true;
  });
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-conversion-'));
  crontabCrd = (await loadCrds(['manifests/crds/crontabs.yaml'])).map((l) => l.crd);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConversions', () => {
  test('takes the hub from the CRD storage version and ignores documents of other kinds', async () => {
    const policies = await policyFolder({
      'policies/conversions/crontabs.yaml': doc(V1_IDENTITY),
      'policies/other.yaml': 'apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata: {name: p}\nspec: {}\n',
    });
    const registry = await loadConversions({ policyPaths: [policies], crds: crontabCrd, engine });
    const converter = registry.lookup('example.com', 'CronTab');
    assert.equal(converter?.hub, 'v1beta1');
    assert.deepEqual(converter?.versions, ['v1beta1', 'v1']);
    assert.equal(registry.converters.length, 1);
  });

  test('needs hubVersion when no CRD of the kind is loaded', async () => {
    const policies = await policyFolder({ 'policies/c.yaml': doc(V1_IDENTITY) });
    await assertLoadError(policies, [], /^spec.hubVersion$/, /no loaded CRD defines example.com\/CronTab/);
  });

  test('every CRD version needs a mapping, and listed versions must exist', async () => {
    await assertLoadError(await policyFolder({ 'policies/c.yaml': doc('    - name: v2\n') }), crontabCrd, /^spec.versions$/, /v2 is not a version of the CRD crontabs.example.com/);
    const withV2 = structuredClone(crontabCrd);
    withV2[0]!.spec.versions.push({ name: 'v2', served: true, storage: false });
    await assertLoadError(await policyFolder({ 'policies/c.yaml': doc(V1_IDENTITY) }), withV2, /^spec.versions$/, /CRD version v2 has no mapping/);
    await assertLoadError(await policyFolder({ 'policies/c.yaml': doc('    - name: v1beta1\n', '  hubVersion: v1beta1\n') }), [], /^spec.versions\[0\].name$/, /v1beta1 is the hub version/);
  });

  test('reports a bad rule with the file, document and rule index', async () => {
    const policies = await policyFolder({ 'policies/c.yaml': doc('    - name: v1\n      toHub:\n        - remove: host\n        - set: port\n') });
    await assertLoadError(policies, crontabCrd, /^spec.versions\[0\].toHub\[1\]$/, /c.yaml: document 0: spec.versions\[0\].toHub\[1\]: a set rule needs exactly one of value/);
  });

  test('rejects a second Conversion for the same group/kind and a wrong apiVersion', async () => {
    const twice = await policyFolder({ 'policies/a.yaml': doc(V1_IDENTITY), 'policies/b.yaml': doc(V1_IDENTITY) });
    await assertLoadError(twice, crontabCrd, /^spec.kind$/, /example.com\/CronTab already has a Conversion in .*a.yaml/);
    const wrong = await policyFolder({ 'policies/a.yaml': doc(V1_IDENTITY).replace('portcullis.dev/v1alpha1', 'portcullis.dev/v1') });
    await assertLoadError(wrong, crontabCrd, /^apiVersion$/, /must be portcullis.dev\/v1alpha1/);
  });
});

describe('code converters', () => {
  const moduleDoc = (module: string) => doc(`    - name: v1\n      module: ${module}\n`);
  const jsModule = `export function toHub(o) { o.hostPort = o.host + ':' + o.port; delete o.host; delete o.port; return o; }
export function fromHub(o, ctx) { if (!o.hostPort.includes(':')) ctx.fail('hostPort', 'has no port'); const [host, port] = o.hostPort.split(':'); delete o.hostPort; return { ...o, host, port }; }
`;

  test('a JavaScript module next to its document converts both ways and can fail with a field', async () => {
    const policies = await policyFolder({ 'policies/c/crontabs.yaml': moduleDoc('./crontab-v1.mjs'), 'policies/c/crontab-v1.mjs': jsModule });
    const registry = await loadConversions({ policyPaths: [policies], crds: crontabCrd, engine });
    const handler = createConversionHandler({ registry: () => registry });
    const object = { apiVersion: 'example.com/v1beta1', kind: 'CronTab', metadata: { name: 'a', namespace: 'n' }, hostPort: 'h:1' };
    const response = handler({ uid: 'u', desiredAPIVersion: 'example.com/v1', objects: [object] });
    assert.deepEqual(response.convertedObjects, [{ apiVersion: 'example.com/v1', kind: 'CronTab', metadata: { name: 'a', namespace: 'n' }, host: 'h', port: '1' }]);
    const failed = handler({ uid: 'u', desiredAPIVersion: 'example.com/v1', objects: [{ ...object, hostPort: 'h' }] });
    assert.deepEqual(failed.result, { status: 'Failure', message: 'n/a: example.com/v1beta1 -> example.com/v1: hostPort: has no port' });
  });

  test('the TypeScript example (Gizmo) round-trips through the annotation what v2 cannot say', async () => {
    const crds = (await loadCrds(['test/fixtures/conversion/crds'])).map((l) => l.crd);
    const registry = await loadConversions({ policyPaths: ['test/fixtures/conversion/policies'], crds, engine });
    const handler = createConversionHandler({ registry: () => registry });
    const v1: JsonObject = { apiVersion: 'demo.portcullis.dev/v1', kind: 'Gizmo', metadata: { name: 'g' }, spec: { ports: '80, 443' } };
    const there = handler({ uid: 'u', desiredAPIVersion: 'demo.portcullis.dev/v2', objects: [v1] });
    const v2 = there.convertedObjects[0] as JsonObject;
    assert.deepEqual(v2['spec'], { ports: [80, 443] });
    // The hash is of what v2 -> v1 gives for the field ("80,443"): a v2 edit of the ports changes it, and the copy is dropped.
    const data = JSON.stringify({ v1: { set: { '/spec/ports': '80, 443' }, hash: { '/spec/ports': hashFieldValues(['80,443']) } } });
    assert.equal(((v2['metadata'] as JsonObject)['annotations'] as JsonObject)[CONVERSION_DATA_ANNOTATION], data);
    const back = handler({ uid: 'u', desiredAPIVersion: 'demo.portcullis.dev/v1', objects: [v2] });
    assert.deepEqual(back.convertedObjects, [v1]);
    const bad = handler({ uid: 'u', desiredAPIVersion: 'demo.portcullis.dev/v1', objects: [{ ...v1, apiVersion: 'demo.portcullis.dev/v2', spec: { ports: 'x' } }] });
    assert.deepEqual(bad.result, { status: 'Failure', message: 'g: demo.portcullis.dev/v2 -> demo.portcullis.dev/v1: spec.ports: must be a list of integers' });
  });

  test('loading again after a module is edited runs the new code', async () => {
    const policies = await policyFolder({ 'policies/c.yaml': moduleDoc('./m.mjs'), 'policies/m.mjs': jsModule });
    const convertWith = async () => {
      const registry = await loadConversions({ policyPaths: [policies], crds: crontabCrd, engine });
      const object = { apiVersion: 'example.com/v1beta1', kind: 'CronTab', metadata: { name: 'a' }, hostPort: 'h:1' };
      return createConversionHandler({ registry: () => registry })({ uid: 'u', desiredAPIVersion: 'example.com/v1', objects: [object] }).convertedObjects[0];
    };
    assert.equal((await convertWith())?.['host'], 'h');
    await writeFile(path.join(policies, 'm.mjs'), jsModule.replace('return { ...o, host, port }', "return { ...o, host: host + '.edited', port }"));
    await utimes(path.join(policies, 'm.mjs'), new Date(), new Date(Date.now() + 5000));
    assert.equal((await convertWith())?.['host'], 'h.edited');
  });

  test('a module must stay inside the policies folder, symlinks included', async () => {
    const outside = await policyFolder({ 'policies/c.yaml': moduleDoc('../outside.mjs'), 'outside.mjs': jsModule });
    await assertLoadError(outside, crontabCrd, /^spec.versions\[0\].module$/, /"..\/outside.mjs" resolves to .*outside.mjs, outside the policies folder/);
    const linked = await policyFolder({ 'policies/c.yaml': moduleDoc('./link.mjs'), 'outside.mjs': jsModule });
    await symlink(path.join(linked, '..', 'outside.mjs'), path.join(linked, 'link.mjs'));
    await assertLoadError(linked, crontabCrd, /^spec.versions\[0\].module$/, /outside the policies folder/);
  });

  test('a module path must be relative, a module file, and export toHub and fromHub', async () => {
    await assertLoadError(await policyFolder({ 'policies/c.yaml': moduleDoc('/etc/passwd.js') }), crontabCrd, /module$/, /must be relative to the Conversion document/);
    await assertLoadError(await policyFolder({ 'policies/c.yaml': moduleDoc('./c.yaml') }), crontabCrd, /module$/, /must end in .js, .mjs, .ts, .mts/);
    await assertLoadError(await policyFolder({ 'policies/c.yaml': moduleDoc('./missing.mjs') }), crontabCrd, /module$/, /can't be read/);
    const noExports = await policyFolder({ 'policies/c.yaml': moduleDoc('./m.mjs'), 'policies/m.mjs': 'export const toHub = (o) => o;\n' });
    await assertLoadError(noExports, crontabCrd, /module$/, /must export functions toHub and fromHub/);
    const both = await policyFolder({ 'policies/c.yaml': doc('    - name: v1\n      module: ./m.mjs\n      toHub: []\n'), 'policies/m.mjs': jsModule });
    await assertLoadError(both, crontabCrd, /^spec.versions\[0\].toHub$/, /is not allowed beside module/);
  });
});
