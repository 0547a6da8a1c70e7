import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { pino } from 'pino';
import { certificateNames, runCerts, setCaBundle } from '../../../src/cli/certs.js';
import { buildManifests, rulesForPolicies } from '../../../src/cli/manifests.js';
import { registerWebhooks } from '../../../src/cli/register.js';
import { generateManifests, rulesForCrds } from '../../../src/cli/webhook-manifests.js';
import type { KubeManifest } from '../../../src/cli/webhook-manifests.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';

function crd(plural: string, versions: string[], extra: Partial<CustomResourceDefinition['spec']> = {}): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: plural[0]!.toUpperCase() + plural.slice(1, -1), plural },
      versions: versions.map((name, i) => ({ name, served: true, storage: i === 0 })),
      ...extra,
    },
  };
}

const webhookOf = (config: KubeManifest) => (config['webhooks'] as Record<string, any>[])[0]!;

describe('generateManifests', () => {
  const crds = [crd('widgets', ['v1']), crd('crontabs', ['v1beta1', 'v1'])];

  it('registers both webhooks with the required safety settings', () => {
    const { validating, mutating } = generateManifests(crds, rulesForCrds(crds));
    for (const config of [validating, mutating]) {
      const webhook = webhookOf(config);
      assert.equal(webhook.failurePolicy, 'Fail');
      assert.equal(webhook.sideEffects, 'None');
      assert.deepEqual(webhook.admissionReviewVersions, ['v1', 'v1beta1']);
      assert.equal(webhook.timeoutSeconds, 5);
      assert.deepEqual(webhook.namespaceSelector.matchExpressions[0].values, ['kube-system', 'kube-node-lease', 'portcullis-system']);
      assert.equal(webhook.clientConfig.caBundle, undefined);
      assert.equal(webhook.clientConfig.service.name, 'portcullis-webhook');
    }
    assert.equal(webhookOf(validating).name, 'validate.portcullis.dev');
    assert.equal(webhookOf(validating).clientConfig.service.path, '/validate');
    assert.equal(webhookOf(mutating).clientConfig.service.path, '/mutate');
    assert.equal(webhookOf(mutating).reinvocationPolicy, 'Never');
  });

  it('writes one rule per CRD over its served versions, with status where the CRD has it', () => {
    const rules = rulesForCrds([crd('widgets', ['v1'], { versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }, { name: 'v0', served: false, storage: false }] }), crd('crontabs', ['v1beta1', 'v1'])]);
    assert.deepEqual(rules, [
      { operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: ['example.com'], apiVersions: ['v1beta1', 'v1'], resources: ['crontabs'], scope: 'Namespaced' },
      { operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets', 'widgets/status'], scope: 'Namespaced' },
    ]);
  });

  it('adds a conversion stanza only for CRDs with several versions, with the caBundle when given', () => {
    const { conversions, validating } = generateManifests(crds, [], { caBundle: 'PEM', namespace: 'hooks', service: 'pc' });
    assert.deepEqual(conversions.map((c) => c.metadata.name), ['crontabs.example.com']);
    const webhook = (conversions[0]!['spec'] as any).conversion.webhook;
    assert.deepEqual(webhook.conversionReviewVersions, ['v1']);
    assert.deepEqual(webhook.clientConfig, { service: { namespace: 'hooks', name: 'pc', path: '/convert', port: 443 }, caBundle: Buffer.from('PEM').toString('base64') });
    assert.ok(webhookOf(validating).namespaceSelector.matchExpressions[0].values.includes('hooks'));
  });

  it('points at a URL instead of a Service when asked', () => {
    const { mutating } = generateManifests(crds, [], { url: 'https://127.0.0.1:8443/' });
    assert.deepEqual(webhookOf(mutating).clientConfig, { url: 'https://127.0.0.1:8443/mutate' });
  });

  it('refuses a timeout the apiserver would reject', () => {
    assert.throws(() => generateManifests(crds, [], { timeoutSeconds: 31 }), RangeError);
  });
});

describe('rulesForPolicies', () => {
  it('turns policy matches into rules, resolving kinds through the CRDs', () => {
    const policies = [
      { kind: 'AdmissionPolicy', metadata: { name: 'p1' }, spec: { match: { resources: [{ apiGroups: ['example.com'], kinds: ['Crontab', 'Unknown'] }], operations: ['CREATE'] } } },
      { kind: 'AdmissionPolicy', metadata: { name: 'p2' }, spec: { match: { resources: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] } } },
    ];
    const { rules, unresolved } = rulesForPolicies(policies, [crd('crontabs', ['v1'])]);
    assert.deepEqual(rules, [
      { operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['*'], resources: ['crontabs'], scope: '*' },
      { operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], scope: '*' },
    ]);
    assert.deepEqual(unresolved, ['p1: kind Unknown']);
  });
});

describe('checked-in manifests match what the server loads', () => {
  it('manifests/webhooks/ equals `portcullis manifests` over manifests/crds and policies (regenerate: see docs/deploy.md)', async () => {
    const { manifests } = await buildManifests({ crdPaths: ['manifests/crds'], policyPaths: ['policies'] }, {});
    const onDisk = parseAllDocuments(await readFile('manifests/webhooks/webhook-configurations.yaml', 'utf8')).map((d) => d.toJS());
    assert.deepEqual(onDisk, [manifests.validating, manifests.mutating]);
    const conversions = parseAllDocuments(await readFile('manifests/webhooks/crd-conversion.yaml', 'utf8')).map((d) => d.toJS());
    assert.deepEqual(conversions, manifests.conversions);
  });
});

describe('registerWebhooks', () => {
  it('applies conversions first, then both configurations, and is safe to repeat', async () => {
    const applied: string[] = [];
    const manifests = generateManifests([crd('crontabs', ['v1beta1', 'v1'])], []);
    const apply = async (o: KubeManifest) => void applied.push(`${o.kind}/${o.metadata.name}`);
    await registerWebhooks({ manifests, apply, logger: pino({ level: 'silent' }) });
    await registerWebhooks({ manifests, apply, logger: pino({ level: 'silent' }) });
    const once = ['CustomResourceDefinition/crontabs.example.com', 'ValidatingWebhookConfiguration/portcullis', 'MutatingWebhookConfiguration/portcullis'];
    assert.deepEqual(applied, [...once, ...once]);
  });

  it('names the object and the apiserver message when an apply fails', async () => {
    const manifests = generateManifests([], []);
    const apply = async () => {
      throw Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: JSON.stringify({ message: 'forbidden: nope' }) });
    };
    await assert.rejects(registerWebhooks({ manifests, apply, logger: pino({ level: 'silent' }) }), /registering ValidatingWebhookConfiguration\/portcullis: HTTP 403: forbidden: nope/);
  });
});

describe('portcullis certs', () => {
  it('names the Service in every form the apiserver may dial', () => {
    assert.deepEqual(certificateNames('svc', 'ns'), ['svc.ns.svc', 'svc.ns.svc.cluster.local', 'svc.ns', 'svc']);
  });

  it('writes a CA, a serving certificate with the Service SANs and a kubernetes.io/tls Secret, and reuses the CA on rotation', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-certs-cli-'));
    try {
      const out: string[] = [];
      const io = { stdout: (s: string) => void out.push(s), stderr: () => undefined };
      const manifest = path.join(dir, 'webhooks.yaml');
      await writeFile(manifest, generateManifests([crd('crontabs', ['v1beta1', 'v1'])], []).conversions.map((c) => JSON.stringify(c)).join('\n---\n'));
      assert.equal(await runCerts(['--out-dir', dir, '--namespace', 'hooks', '--patch', manifest], io), 0);
      const ca = await readFile(path.join(dir, 'ca.crt'), 'utf8');
      const first = new X509Certificate(await readFile(path.join(dir, 'tls.crt')));
      assert.ok(first.verify(new X509Certificate(ca).publicKey));
      assert.match(first.subjectAltName ?? '', /DNS:portcullis-webhook\.hooks\.svc, DNS:portcullis-webhook\.hooks\.svc\.cluster\.local/);
      assert.equal(out[0]?.trim(), Buffer.from(ca).toString('base64'));
      const secret = parse(await readFile(path.join(dir, 'secret.yaml'), 'utf8'));
      assert.equal(secret.type, 'kubernetes.io/tls');
      assert.equal(secret.metadata.namespace, 'hooks');
      assert.deepEqual(Object.keys(secret.data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
      assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), ca);
      const patched = parse(await readFile(manifest, 'utf8'));
      assert.equal(patched.spec.conversion.webhook.clientConfig.caBundle, Buffer.from(ca).toString('base64'));

      await runCerts(['--out-dir', dir, '--namespace', 'hooks'], io);
      const second = new X509Certificate(await readFile(path.join(dir, 'tls.crt')));
      assert.equal(await readFile(path.join(dir, 'ca.crt'), 'utf8'), ca, 'same CA');
      assert.notEqual(second.serialNumber, first.serialNumber, 'new serving certificate');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sets the caBundle only where a clientConfig exists', () => {
    const config = { kind: 'ValidatingWebhookConfiguration', webhooks: [{ clientConfig: { url: 'https://x' } }, { name: 'no-client-config' }] };
    assert.equal(setCaBundle(config, 'PEM'), 1);
    assert.equal(setCaBundle({ kind: 'ConfigMap', data: {} }, 'PEM'), 0);
  });
});

describe('isCovered', () => {
  const crdRules = rulesForCrds([crd('crontabs', ['v1beta1', 'v1'])]);
  it('drops policy rules the CRD rules already send, keeps the rest', async () => {
    const { isCovered } = await import('../../../src/cli/manifests.js');
    const rule = (over: Partial<Parameters<typeof isCovered>[0]>) => ({ operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['*'], resources: ['crontabs'], scope: '*' as const, ...over });
    assert.equal(isCovered(rule({}), crdRules), true);
    assert.equal(isCovered(rule({ operations: ['CONNECT'] }), crdRules), false);
    assert.equal(isCovered(rule({ resources: ['crontabs/scale'] }), crdRules), false);
    assert.equal(isCovered(rule({ apiGroups: ['*'] }), crdRules), false);
    assert.equal(isCovered(rule({ apiVersions: ['v2'] }), crdRules), false);
  });
});
