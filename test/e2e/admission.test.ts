/**
 * End-to-end admission through a real etcd + kube-apiserver + kubectl, with `portcullis serve`
 * registered as validating and mutating webhook for the Gadget fixture CRD
 * (test/fixtures/e2e/crds/gadgets.yaml) and the example CRDs (manifests/crds). The cluster holds an open copy of the CRD, so defaults
 * and denials observed here are Portcullis's doing, not the apiserver's.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { e2eSuite, startE2E, type E2EEnv, type KubectlResult, scenarioWithDiagnostics } from './harness/index.js';

const GROUP = 'e2e.portcullis.dev';
const RESOURCE = `gadget.${GROUP}`;

function gadget(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): object {
  return { apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name, labels }, spec };
}

// A schema denial is 422 Invalid with one cause per field, the shape the apiserver's own
// validation has. kubectl renders such a Status natively: `The <Kind> "<name>" is invalid:`
// followed by one `* <field>: <message>` line per cause (kubectl/pkg/cmd/util/helpers.go,
// isInvalidReasonStatusError), and leaves out the Status message, which is where the apiserver
// put `admission webhook "<name>" denied the request`. So the field paths and reasons are
// asserted on kubectl's stderr, and the webhook's name on the Status the apiserver returns
// (assertDeniedBy, through the REST API).
function assertDenied(result: KubectlResult, kind: string, name: string, fragments: string[]): void {
  assert.equal(result.code, 1, `kubectl should fail, stdout: ${result.stdout}`);
  assert.equal(result.stdout, '');
  assert.ok(result.stderr.startsWith(`The ${kind} "${name}" is invalid: `), `stderr: ${result.stderr}`);
  // One cause is printed inline; several as a `* ` list, one per line.
  const marker = fragments.length > 1 ? '* ' : '';
  for (const fragment of fragments) assert.ok(result.stderr.includes(`${marker}${fragment}`), `stderr has ${JSON.stringify(fragment)}: ${result.stderr}`);
}

/** rawCreate POSTs an object to the apiserver with kubectl's credentials and returns the HTTP status and body. */
async function rawCreate(env: E2EEnv, path: string, object: object): Promise<{ status: number; body: any }> {
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  const { request } = await import('node:https');
  const config = parse(await readFile(env.kubeconfigPath, 'utf8'));
  const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64');
  const token = config.users[0].user.token as string;
  const url = new URL(path, env.apiserverUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}

await e2eSuite('admission through a real kube-apiserver', () => {
  let env: E2EEnv;
  // Portcullis's /mutate validates the defaulted object too, and mutating webhooks run before
  // validating ones, so a schema violation is reported by the mutating webhook.
  const denyingWebhook = 'mutate.portcullis.dev';

  const getGadget = async (name: string) => {
    const result = await env.kubectl(['get', 'gadget', name, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { metadata: { labels?: Record<string, string>; uid: string }; spec: unknown };
  };
  const assertAbsent = async (name: string) => {
    const result = await env.kubectl(['get', 'gadget', name, '-o', 'name']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), `Error from server (NotFound): gadgets.${GROUP} "${name}" not found`);
  };
  const apply = (object: object, extra: string[] = []) => env.kubectl(['apply', '-f', '-', ...extra], { input: object });
  // On failure, show what the servers said: a bare kubectl error rarely explains itself.
  const scenario = scenarioWithDiagnostics(() => env);

  const webhooksInEffect = async () => {
    // Webhook configurations reach the apiserver's admission plugins through an informer: wait
    // until an invalid object is answered by Portcullis (the validating configuration was applied
    // in the same kubectl call). Thrown so that a timeout reports what kubectl last said.
    await env.eventually(async () => {
      const r = await apply(gadget('probe', { size: 0 }), ['--dry-run=server']);
      if (r.code !== 0 && !r.stderr.includes('failed calling webhook')) return true;
      throw new Error(`exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    }, 'the webhooks to be in effect', 30_000);
  };

  before(async () => {
    env = await startE2E({
      crds: ['test/fixtures/e2e/crds', 'manifests/crds'],
      // No policies: this suite is about schema admission; policy scenarios live in their own files.
      policies: 'test/fixtures/e2e/policies',
      failurePolicy: 'Fail',
    });
    try {
      await webhooksInEffect();
    } catch (err) {
      console.error(env.diagnostics());
      throw err;
    }
  });

  after(async () => {
    await env?.stop();
  });

  scenario('a valid Gadget is created and stored exactly as sent', async () => {
    const spec = { size: 4, color: 'blue', replicas: 3, backup: { enabled: true, schedule: '@daily' }, tags: ['a', 'b'] };
    const result = await apply(gadget('g-valid', spec, { team: 'e2e' }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `${RESOURCE}/g-valid created`);
    assert.equal(result.stderr, '');
    const stored = await getGadget('g-valid');
    assert.deepEqual(stored.spec, spec);
    assert.deepEqual(stored.metadata.labels, { team: 'e2e' });
  });

  scenario('a Gadget that breaks the schema is rejected with the webhook name, field paths and reasons', async () => {
    const result = await apply(gadget('g-invalid', { size: 42, color: 'purple' }));
    assertDenied(result, 'Gadget', 'g-invalid', [
      'spec.size: Invalid value: 42: spec.size in body should be less than or equal to 10',
      'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
    ]);
    await assertAbsent('g-invalid');

    // The Status behind kubectl's rendering names the webhook and keeps every cause.
    const raw = await rawCreate(env, `/apis/${GROUP}/v1/namespaces/${env.namespace}/gadgets`, gadget('g-invalid-raw', { size: 42, color: 'purple' }));
    assert.equal(raw.status, 422);
    assert.equal(raw.body.reason, 'Invalid');
    assert.ok(
      (raw.body.message as string).startsWith(`admission webhook "${denyingWebhook}" denied the request: Gadget.${GROUP} "g-invalid-raw" is invalid: [`),
      raw.body.message,
    );
    assert.deepEqual(
      raw.body.details.causes.map((c: { field: string; reason: string }) => `${c.field} ${c.reason}`).sort(),
      ['spec.color FieldValueNotSupported', 'spec.size FieldValueInvalid'],
    );

    const missing = await apply(gadget('g-missing', { color: 'red' }));
    assertDenied(missing, 'Gadget', 'g-missing', ['spec.size: Required value']);
    await assertAbsent('g-missing');
  });

  scenario('a Gadget missing defaultable fields is stored with the schema defaults', async () => {
    const result = await apply(gadget('g-defaults', { size: 2 }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `${RESOURCE}/g-defaults created`);
    const stored = await getGadget('g-defaults');
    assert.deepEqual(stored.spec, { size: 2, color: 'green', replicas: 1, backup: { enabled: false } });
  });

  scenario('an update is admitted and re-validated, and a delete goes through unpatched', async () => {
    const before = await getGadget('g-valid');
    const updated = await apply(gadget('g-valid', { size: 7, color: 'red' }, { team: 'e2e' }));
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.stdout.trim(), `${RESOURCE}/g-valid configured`);
    const after = await getGadget('g-valid');
    assert.equal(after.metadata.uid, before.metadata.uid);
    // Fields dropped from the applied manifest come back as defaults on UPDATE too.
    assert.deepEqual(after.spec, { size: 7, color: 'red', replicas: 1, backup: { enabled: false } });

    const invalidUpdate = await apply(gadget('g-valid', { size: 0 }, { team: 'e2e' }));
    assertDenied(invalidUpdate, 'Gadget', 'g-valid', [
      'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
    ]);
    assert.deepEqual((await getGadget('g-valid')).spec, after.spec);

    // The mutating webhook also receives DELETE; a patch there would fail the delete with
    // `attempted to modify the object, which is not supported for this operation`.
    const deleted = await env.kubectl(['delete', 'gadget', 'g-valid', '--wait=true']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), `${RESOURCE} "g-valid" deleted from ${env.namespace} namespace`);
    assert.equal(deleted.stderr, '');
    await assertAbsent('g-valid');
  });

  scenario('--dry-run=server gets the same verdict as a real request and stores nothing', async () => {
    const allowed = await apply(gadget('g-dry', { size: 5 }), ['--dry-run=server', '-o', 'json']);
    assert.equal(allowed.code, 0, allowed.stderr);
    const echoed = JSON.parse(allowed.stdout) as { spec: unknown };
    assert.deepEqual(echoed.spec, { size: 5, color: 'green', replicas: 1, backup: { enabled: false } });
    await assertAbsent('g-dry');

    const named = await apply(gadget('g-dry', { size: 5 }), ['--dry-run=server']);
    assert.equal(named.stdout.trim(), `${RESOURCE}/g-dry created (server dry run)`);

    const denied = await apply(gadget('g-dry-bad', { size: 11 }), ['--dry-run=server']);
    assertDenied(denied, 'Gadget', 'g-dry-bad', [
      'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
    ]);
    await assertAbsent('g-dry-bad');
  });

  scenario('the example Widget CRD is installed, defaulted (also inside list items) and enforced', async () => {
    const widget = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'demo.portcullis.dev/v1',
      kind: 'Widget',
      metadata: { name },
      spec,
    });
    const hook = { name: 'notify', url: 'https://hooks.example.com/widgets', events: ['create'] };
    const created = await apply(widget('w-defaults', { image: 'nginx:1.27', hooks: [hook] }));
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'widget.demo.portcullis.dev/w-defaults created');
    const stored = await env.kubectl(['get', 'widget', 'w-defaults', '-o', 'json']);
    assert.equal(stored.code, 0, stored.stderr);
    assert.deepEqual((JSON.parse(stored.stdout) as { spec: unknown }).spec, {
      image: 'nginx:1.27',
      replicas: 1,
      tier: 'backend',
      resources: { cpu: '100m', memoryMiB: 128 },
      hooks: [{ ...hook, timeoutSeconds: 5 }],
      paused: false,
    });

    const denied = await apply(widget('w-bad', { image: 'Nginx', tier: 'edge' }));
    assertDenied(denied, 'Widget', 'w-bad', [
      `spec.image: Invalid value: "Nginx": spec.image in body should match '^[a-z0-9][a-z0-9./:_-]*$'`,
      'spec.tier: Unsupported value: "edge": supported values: "frontend", "backend", "batch"',
    ]);
  });

  scenario('kubectl --as impersonates a user that RBAC limits until a RoleBinding grants access', async () => {
    const asAlice = { as: 'alice', asGroups: ['e2e-devs'] };
    const forbidden = await env.kubectl(['apply', '-f', '-'], { input: gadget('g-alice', { size: 2 }), ...asAlice });
    assert.equal(forbidden.code, 1);
    assert.ok(
      forbidden.stderr.includes(
        `User "alice" cannot get resource "gadgets" in API group "${GROUP}" in the namespace "${env.namespace}"`,
      ),
      forbidden.stderr,
    );
    const grant = await env.kubectl(['apply', '-f', '-'], {
      input: {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'gadget-editor' },
            rules: [{ apiGroups: [GROUP], resources: ['gadgets'], verbs: ['get', 'list', 'create', 'update', 'patch'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'e2e-devs-gadget-editor' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gadget-editor' },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'e2e-devs' }],
          },
        ],
      },
    });
    assert.equal(grant.code, 0, grant.stderr);
    const created = await env.eventually(async () => {
      const r = await env.kubectl(['apply', '-f', '-'], { input: gadget('g-alice', { size: 2 }), ...asAlice });
      return r.code === 0 ? r : false;
    }, 'the RoleBinding to take effect');
    assert.equal(created.stdout.trim(), `${RESOURCE}/g-alice created`);
    assert.deepEqual((await getGadget('g-alice')).spec, { size: 2, color: 'green', replicas: 1, backup: { enabled: false } });
  });

  scenario('with Portcullis down, Fail rejects with the apiserver error, Ignore admits, and a restart restores it', async () => {
    await env.stopWebhook();
    const refused = await apply(gadget('g-down', { size: 3 }));
    assert.equal(refused.code, 1);
    assert.ok(
      refused.stderr.startsWith('Error from server (InternalError): error when creating "STDIN": Internal error occurred: ' +
        `failed calling webhook "${env.webhookNames.mutating}": failed to call webhook: Post "${env.serverUrl('/mutate')}?timeout=10s": `),
      refused.stderr,
    );
    assert.ok(refused.stderr.includes('connect: connection refused'), refused.stderr);
    await assertAbsent('g-down');

    await env.applyWebhooks({ failurePolicy: 'Ignore' });
    const admitted = await env.eventually(async () => {
      const r = await apply(gadget('g-down', { size: 3 }));
      return r.code === 0 ? r : false;
    }, 'failurePolicy Ignore to take effect');
    assert.equal(admitted.stdout.trim(), `${RESOURCE}/g-down created`);
    // Nobody defaulted it: proof that the apiserver skipped the unreachable webhook.
    assert.deepEqual((await getGadget('g-down')).spec, { size: 3 });

    await env.applyWebhooks({ failurePolicy: 'Fail' });
    await env.startWebhook();
    const denied = await env.eventually(async () => {
      const r = await apply(gadget('g-back-bad', { size: 99 }));
      return r.code !== 0 && !r.stderr.includes('failed calling webhook') ? r : false;
    }, 'the restarted webhook to answer');
    assertDenied(denied, 'Gadget', 'g-back-bad', ['spec.size: Invalid value: 99: spec.size in body should be less than or equal to 10']);
    const back = await apply(gadget('g-back', { size: 6 }));
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual((await getGadget('g-back')).spec, { size: 6, color: 'green', replicas: 1, backup: { enabled: false } });
  });

  scenario('after a kube-apiserver restart the stored objects and the webhooks are still there', async () => {
    await env.restartApiserver();
    assert.deepEqual((await getGadget('g-defaults')).spec, { size: 2, color: 'green', replicas: 1, backup: { enabled: false } });
    const result = await env.eventually(async () => {
      const r = await apply(gadget('g-after-restart', { size: 1, color: 'orange' }));
      return r.code !== 0 ? r : false;
    }, 'the webhooks after an apiserver restart');
    assertDenied(result, 'Gadget', 'g-after-restart', ['spec.color: Unsupported value: "orange"']);
  });
});
