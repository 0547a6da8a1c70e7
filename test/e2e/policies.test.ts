/**
 * Declarative policies end to end: a real kube-apiserver calls `portcullis serve` loaded with the
 * shipped example policies (policies/) and CRDs (manifests/crds), and kubectl shows the results as
 * users see them: a 403 and a 422 denial naming policy and rule, a warning, a defaulted owner, a
 * user-based exemption through impersonation (`kubectl --as`), and a hot reload. The server reads a
 * temporary copy of policies/, so the reload scenario can edit it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { e2eSuite, startE2E, type E2EEnv, type KubectlResult, scenarioWithDiagnostics } from './harness/index.js';

const API = 'demo.portcullis.dev/v1';

function widget(name: string, namespace: string, spec: Record<string, unknown>, labels: Record<string, string> = { team: 'web' }): object {
  return { apiVersion: API, kind: 'Widget', metadata: { name, namespace, labels }, spec: { image: 'nginx:1.27', ...spec } };
}

await e2eSuite('declarative policies through a real kube-apiserver', () => {
  let env: E2EEnv;
  const policyDir = mkdtempSync(join(tmpdir(), 'pcl-e2e-policies-'));
  cpSync('policies', policyDir, { recursive: true });
  const apply = (object: object, options: { as?: string; asGroups?: string[] } = {}) =>
    env.kubectl(['apply', '-n', (object as { metadata: { namespace: string } }).metadata.namespace, '-f', '-'], { input: object, ...options });
  const scenario = scenarioWithDiagnostics(() => env);
  const mustWork = (result: KubectlResult, what: string) => assert.equal(result.code, 0, `${what}: ${result.stderr}`);

  before(async () => {
    env = await startE2E({ crds: 'manifests/crds', policies: policyDir, failurePolicy: 'Fail' });
    try {
      for (const ns of ['prod-shop', 'team-web']) mustWork(await env.kubectl(['create', 'namespace', ns]), `create namespace ${ns}`);
      // Developers may do anything RBAC-wise; only the policies stand in their way.
      mustWork(await env.kubectl(['create', 'clusterrolebinding', 'e2e-developers', '--clusterrole=cluster-admin', '--group=developers', '--group=platform-admins']), 'bind developers');
      await env.eventually(async () => {
        const probe = await apply(widget('probe', env.namespace, {}, {}), { as: 'dev', asGroups: ['developers'] });
        return probe.stderr.includes('(policy widget-team-label, rule team-label)');
      }, 'the webhooks to enforce policies', 30_000);
    } catch (err) {
      console.error(env?.diagnostics());
      throw err;
    }
  });

  after(async () => {
    await env?.stop();
    rmSync(policyDir, { recursive: true, force: true });
  });

  scenario('a 403 policy denial as kubectl prints it, naming webhook, policy and rule', async () => {
    const result = await apply(widget('shop', 'prod-shop', { tier: 'frontend' }), { as: 'dev', asGroups: ['developers'] });
    assert.equal(result.code, 1, result.stdout);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr.trim(),
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${env.webhookNames.mutating}" denied the request: ` +
        'widgets.demo.portcullis.dev "shop" is forbidden: only platform admins may run frontend widgets in production namespaces ' +
        '(policy widget-production, rule frontend-needs-admin)',
    );
    const absent = await env.kubectl(['get', 'widget', 'shop', '-n', 'prod-shop']);
    assert.equal(absent.code, 1);
  });

  scenario('a user in an exempt group (kubectl --as) is let through', async () => {
    const result = await apply(widget('shop', 'prod-shop', { tier: 'frontend' }), { as: 'ops', asGroups: ['platform-admins'] });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'widget.demo.portcullis.dev/shop created');
  });

  scenario('a 422 policy denial lists every field problem', async () => {
    const result = await apply(widget('Bad-Name', env.namespace, {}, { owner: 'x' }), { as: 'dev', asGroups: ['developers'] });
    assert.equal(result.code, 1, result.stdout);
    // For reason Invalid kubectl prints the causes, not the webhook's message.
    assert.match(result.stderr, /^The Widget "Bad-Name" is invalid: /);
    for (const fragment of [
      'metadata.labels.team: Required value: label "team" is required (policy widget-team-label, rule team-label)',
      'metadata.labels.owner: Forbidden: label "owner" is not allowed (policy widget-team-label, rule no-legacy-owner-label)',
      'metadata.name: Invalid value: "Bad-Name": must match ^[a-z][-a-z0-9]*$ (policy widget-naming, rule name-convention)',
    ]) {
      assert.ok(result.stderr.includes(fragment), `stderr has ${JSON.stringify(fragment)}: ${result.stderr}`);
    }
  });

  scenario('a Warn rule shows as "Warning: ..." and the object is created', async () => {
    const result = await apply(widget('sized', env.namespace, { deprecatedSize: 'large' }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'widget.demo.portcullis.dev/sized created');
    assert.equal(result.stderr.trim(), 'Warning: widget-deprecations/deprecated-size: spec.deprecatedSize is deprecated and ignored; set spec.resources instead');
  });

  scenario('the owner defaults to the requesting user and is immutable once set', async () => {
    mustWork(await apply(widget('owned', 'team-web', {}), { as: 'ann', asGroups: ['developers'] }), 'create owned');
    const stored = JSON.parse((await env.kubectl(['get', 'widget', 'owned', '-n', 'team-web', '-o', 'json'])).stdout) as { spec: Record<string, unknown>; metadata: { labels: Record<string, string> } };
    assert.equal(stored.spec['owner'], 'ann');
    assert.equal(stored.metadata.labels['app.kubernetes.io/managed-by'], 'portcullis');
    const changed = await env.kubectl(['patch', 'widget', 'owned', '-n', 'team-web', '--type=merge', '-p', '{"spec":{"owner":"bob"}}'], { as: 'bob', asGroups: ['developers'] });
    assert.equal(changed.code, 1);
    assert.ok(changed.stderr.includes('spec.owner: Invalid value: "bob": field is immutable once set (policy widget-ownership, rule owner-and-tier-fixed)'), changed.stderr);
  });

  scenario('delete protection holds until the annotation is removed', async () => {
    mustWork(await env.kubectl(['annotate', 'widget', 'sized', 'portcullis.dev/protected=true']), 'annotate');
    const denied = await env.kubectl(['delete', 'widget', 'sized']);
    assert.equal(denied.code, 1);
    assert.ok(denied.stderr.startsWith('Error from server (Forbidden): admission webhook'), denied.stderr);
    assert.ok(denied.stderr.includes('deletion is not allowed while annotation portcullis.dev/protected is "true" (policy widget-delete-protection, rule protected-annotation)'), denied.stderr);
    mustWork(await env.kubectl(['annotate', 'widget', 'sized', 'portcullis.dev/protected-']), 'remove annotation');
    mustWork(await env.kubectl(['delete', 'widget', 'sized']), 'delete');
  });

  scenario('a policy added on disk is enforced without a restart; a broken edit keeps the last good set', async () => {
    const file = join(policyDir, 'zz-e2e-image-registry.yaml');
    writeFileSync(file, `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: e2e-image-registry}
spec:
  match:
    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]
  rules:
    - name: registry
      cel:
        expression: 'object.spec.image.startsWith("registry.example.com/")'
        message: images must come from registry.example.com
        fieldPath: spec.image
`);
    const rule = '(policy e2e-image-registry, rule registry)';
    // A fresh name each try: re-applying an object that exists and is unchanged sends no request.
    let attempt = 0;
    const tryCreate = () => apply(widget(`from-hub-${attempt++}`, env.namespace, {}), { as: 'dev', asGroups: ['developers'] });
    await env.eventually(async () => (await tryCreate()).stderr.includes(rule), 'the new policy to deny', 20_000);

    writeFileSync(file, 'apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata: {name: e2e-image-registry}\nspec: {match: {}}\n');
    await env.eventually(async () => env.diagnostics().includes('configuration reload failed'), 'the bad edit to be logged', 20_000);
    const still = await tryCreate();
    assert.equal(still.code, 1);
    assert.ok(still.stderr.includes(rule), `the last good set stays in force: ${still.stderr}`);

    rmSync(file);
    await env.eventually(async () => (await tryCreate()).code === 0, 'the policy to be gone', 20_000);
  });
});
