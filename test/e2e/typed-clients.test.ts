/**
 * End-to-end: what typed Go clients send passes through a real kube-apiserver
 * with Portcullis registered as mutating AND validating webhook for Gateway
 * API HTTPRoutes and their /status subresource, the CRD installed as-is (the
 * apiserver validates too). client-go serialises a whole HTTPRoute struct:
 * `metadata.creationTimestamp: null`, `status: {"parents": null}` on create
 * and on main-resource updates; controllers then write `/status`. Before the
 * apiserver's status semantics were replayed, the mutating webhook denied
 * every such create (`status.parents: Required value`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { parse } from 'yaml';
import { e2eSuite, startE2E, type E2EEnv, scenarioWithDiagnostics } from './harness/index.js';
import { createDryRunClient, type ApiClient } from './differential/apiserver-client.js';
import type { JsonObject } from '../../src/kube/types.js';

const GROUP = 'gateway.networking.k8s.io';
const NAMESPACE = 'typed';
const ROUTES = `/apis/${GROUP}/v1/namespaces/${NAMESPACE}/httproutes`;

/** typedRoute is an HTTPRoute as client-go's typed client serialises gatewayv1.HTTPRoute. */
function typedRoute(name: string, spec: JsonObject = {}): JsonObject {
  return {
    kind: 'HTTPRoute',
    apiVersion: `${GROUP}/v1`,
    metadata: { name, namespace: NAMESPACE, creationTimestamp: null },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }], ...spec },
    status: { parents: null },
  };
}

function routeStatus(observedGeneration: number): JsonObject {
  return {
    parents: [
      {
        parentRef: { group: GROUP, kind: 'Gateway', name: 'gw' },
        controllerName: 'example.com/gateway-controller',
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'accepted', lastTransitionTime: '2026-12-01T00:00:00Z', observedGeneration }],
      },
    ],
  };
}

await e2eSuite('typed-client requests through a real kube-apiserver with Portcullis as mutating and validating webhook', () => {
  let env: E2EEnv;
  let api: ApiClient;
  let policies: string;
  const scenario = scenarioWithDiagnostics(() => env);
  const denied = (body: JsonObject) => String(body['message'] ?? '');

  before(async () => {
    policies = mkdtempSync(join(tmpdir(), 'portcullis-typed-policies-'));
    env = await startE2E({
      crds: 'test/fixtures/real-world-crds/gateway-api/httproutes.yaml',
      policies,
      clusterSchemas: 'as-is',
      namespace: NAMESPACE,
      rules: [{ apiGroups: [GROUP], apiVersions: ['*'], resources: ['httproutes', 'httproutes/status'], operations: ['CREATE', 'UPDATE'] }],
    });
    const config = parse(readFileSync(env.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };
    const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'] as string, 'base64').toString('utf8');
    api = createDryRunClient({ apiserverUrl: env.apiserverUrl, token: config.users[0]!.user.token, ca });
    // The webhook configurations reach the apiserver's admission plugins through an informer:
    // wait until Portcullis's mutating webhook answers a bad route.
    await env.eventually(async () => {
      const r = await api.request('POST', ROUTES, typedRoute('probe', { hostnames: ['UPPER.example.com'] }), true);
      return r.status === 422 && denied(r.body).includes(`admission webhook "${env.webhookNames.mutating}" denied the request`);
    }, 'the Portcullis webhooks are in effect');
  });

  after(async () => {
    api?.close();
    await env?.stop();
    if (policies) rmSync(policies, { recursive: true, force: true });
  });

  scenario('a typed-client create (status {parents: null}, creationTimestamp: null) is admitted and stored without status', async () => {
    const created = await api.request('POST', ROUTES, typedRoute('typed'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['status'], undefined);
    assert.equal(((created.body['spec'] as JsonObject)['parentRefs'] as JsonObject[])[0]!['kind'], 'Gateway');
  });

  scenario('a typed-client main-resource update sending status {parents: null} is admitted', async () => {
    const current = (await api.request('GET', `${ROUTES}/typed`)).body;
    const update = typedRoute('typed', { hostnames: ['a.example.com'] });
    (update['metadata'] as JsonObject)['resourceVersion'] = (current['metadata'] as JsonObject)['resourceVersion'] as string;
    const updated = await api.request('PUT', `${ROUTES}/typed`, update);
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.deepEqual((updated.body['spec'] as JsonObject)['hostnames'], ['a.example.com']);
  });

  scenario('a controller /status update is admitted; a bad one is denied by the mutating webhook in the apiserver\'s words', async () => {
    const current = (await api.request('GET', `${ROUTES}/typed`)).body;
    const good = { ...current, status: routeStatus(1) };
    const written = await api.request('PUT', `${ROUTES}/typed/status`, good);
    assert.equal(written.status, 200, JSON.stringify(written.body));
    assert.equal(((written.body['status'] as JsonObject)['parents'] as JsonObject[]).length, 1);

    const bad = { ...written.body, status: routeStatus(-1) };
    const refused = await api.request('PUT', `${ROUTES}/typed/status`, bad);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.match(denied(refused.body), new RegExp(`^admission webhook "${env.webhookNames.mutating}" denied the request: HTTPRoute\\.gateway\\.networking\\.k8s\\.io "typed" is invalid: `));
    assert.ok(
      denied(refused.body).includes('status.parents[0].conditions[0].observedGeneration: Invalid value: -1: parents[0].conditions[0].observedGeneration in body should be greater than or equal to 0'),
      denied(refused.body),
    );
  });

  scenario('without the webhooks the apiserver gives the same cause for that /status update (Portcullis said what it would)', async () => {
    await env.removeWebhooks();
    const current = (await api.request('GET', `${ROUTES}/typed`)).body;
    await env.eventually(async () => {
      const r = await api.request('PUT', `${ROUTES}/typed/status`, { ...current, status: routeStatus(-1) }, true);
      if (denied(r.body).includes('admission webhook')) return false;
      assert.equal(r.status, 422, JSON.stringify(r.body));
      const causes = ((r.body['details'] as JsonObject)['causes'] as JsonObject[]).map((c) => `${String(c['field'])}: ${String(c['message'])}`);
      assert.deepEqual(causes, ['status.parents[0].conditions[0].observedGeneration: Invalid value: -1: parents[0].conditions[0].observedGeneration in body should be greater than or equal to 0']);
      return true;
    }, 'the webhooks are gone');
  });
});
