/**
 * serve --client-ca through a real kube-apiserver: the apiserver is given an
 * AdmissionConfiguration whose webhook kubeconfig presents a client
 * certificate signed by the CA Portcullis trusts, and admission works; a
 * caller without that certificate is refused with 401.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { stringify } from 'yaml';
import { issueCa, issueClientCertificate } from '../../src/server/certificates.js';
import { e2eSuite, scenarioWithDiagnostics, startE2E, type E2EEnv } from './harness/index.js';

const GROUP = 'demo.portcullis.dev';

// The valid Widget of the admission fixtures (test/fixtures/admission/widget-create-valid.json).
function widget(name: string, spec: Record<string, unknown> = {}): object {
  return { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name, labels: { team: 'web' } }, spec: { image: 'registry.example.com/web:1.4.2', replicas: 3, tier: 'frontend', ...spec } };
}

/** webhookCredentials writes the AdmissionConfiguration and its kubeconfig: user `*` (every webhook) presents `client`. */
async function webhookCredentials(dir: string, client: { cert: string; key: string }): Promise<string> {
  const kubeconfig = join(dir, 'webhook-kubeconfig.yaml');
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  await writeFile(kubeconfig, stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: '*', user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }] }));
  const webhookConfiguration = { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'WebhookAdmissionConfiguration', kubeConfigFile: kubeconfig };
  const admission = join(dir, 'admission-configuration.yaml');
  await writeFile(
    admission,
    stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        { name: 'ValidatingAdmissionWebhook', configuration: webhookConfiguration },
        { name: 'MutatingAdmissionWebhook', configuration: webhookConfiguration },
      ],
    }),
  );
  return admission;
}

function postWithoutCertificate(env: E2EEnv, path: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = request(env.serverUrl(path), { method: 'POST', ca: env.caBundle(), headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

await e2eSuite('serve --client-ca with the apiserver presenting a client certificate', () => {
  let env: E2EEnv;
  let dir: string;
  const scenario = scenarioWithDiagnostics(() => env);
  const apply = (object: object, extra: string[] = []) => env.kubectl(['apply', '-f', '-', ...extra], { input: object });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-e2e-client-ca-'));
    const clientCa = await issueCa({ commonName: 'portcullis-e2e-webhook-client-ca' });
    await writeFile(join(dir, 'client-ca.crt'), clientCa.cert);
    const admission = await webhookCredentials(dir, await issueClientCertificate(clientCa, 'kube-apiserver'));
    env = await startE2E({
      crds: 'manifests/crds',
      failurePolicy: 'Fail',
      apiserverArgs: [`--admission-control-config-file=${admission}`],
      serverArgs: [`--client-ca=${join(dir, 'client-ca.crt')}`],
    });
  });

  after(async () => {
    await env?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  scenario('the apiserver authenticates with its client certificate: Portcullis admits and denies through it', async () => {
    // failurePolicy Fail: if the apiserver's call were refused (401), every apply would fail.
    const good = await env.eventually(async () => {
      const r = await apply(widget('authenticated'));
      return r.code === 0 ? r : false;
    }, 'a valid Widget admitted through the authenticated webhook');
    assert.match(good.stdout, /widget\.demo\.portcullis\.dev\/authenticated (created|configured)/);
    const bad = await apply(widget('bad-replicas', { replicas: -1 }));
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, /replicas/);
    assert.doesNotMatch(bad.stderr, /401|Unauthorized|failed calling webhook/);
    // Portcullis's own decision line (its log is written asynchronously).
    await env.eventually(async () => /"name":"bad-replicas".*"msg":"admission review"/.test(env.diagnostics()), 'Portcullis logged the review it answered');
  });

  scenario('a caller without the client certificate is refused with 401 and a metav1.Status', async () => {
    const reply = await postWithoutCertificate(env, '/validate?timeout=10s', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x' } });
    assert.equal(reply.status, 401, JSON.stringify(reply.body));
    assert.equal(reply.body.kind, 'Status');
    assert.equal(reply.body.reason, 'Unauthorized');
    assert.match(reply.body.message, /^client certificate required: no client certificate was presented/);
  });
});
