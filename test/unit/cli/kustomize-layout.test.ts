import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadCrds } from '../../../src/schema/crd-loader.js';
import { needsConversion } from '../../../src/cli/webhook-manifests.js';

/*
 * The kustomize base lists CRD files one by one and the overlays name the
 * converted CRDs: these checks fail when a CRD is added to manifests/crds
 * without being wired in (docs/deploy.md says what to do).
 */
describe('kustomize layout', () => {
  it('the base lists every file of manifests/crds', async () => {
    const kustomization = parse(await readFile('manifests/kustomization.yaml', 'utf8')) as { resources: string[] };
    const files = (await readdir('manifests/crds')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `crds/${f}`);
    for (const file of files) assert.ok(kustomization.resources.includes(file), `${file} missing from manifests/kustomization.yaml`);
  });

  it('both overlays give every converted CRD its caBundle', async () => {
    const converted = (await loadCrds(['manifests/crds'])).map((l) => l.crd).filter(needsConversion).map((c) => c.metadata.name);
    assert.ok(converted.length > 0);
    const selfManaged = parse(await readFile('overlays/self-managed/kustomization.yaml', 'utf8')) as { replacements: { targets: { select: { kind: string; name: string } }[] }[] };
    const replaced = selfManaged.replacements.flatMap((r) => r.targets).filter((t) => t.select.kind === 'CustomResourceDefinition').map((t) => t.select.name);
    const certManager = parse(await readFile('overlays/cert-manager/kustomization.yaml', 'utf8')) as { patches: { target: { kind: string; name: string } }[] };
    const annotated = certManager.patches.filter((p) => p.target.kind === 'CustomResourceDefinition').map((p) => p.target.name);
    for (const name of converted) {
      assert.ok(replaced.includes(name), `${name} missing from the replacements of overlays/self-managed`);
      assert.ok(annotated.includes(name), `${name} missing from the patches of overlays/cert-manager`);
    }
  });
});
