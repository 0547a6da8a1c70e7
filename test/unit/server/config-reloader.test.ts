import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createConfigReloader } from '../../../src/server/config-reloader.js';

const policy = (name: string, label: string) => `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: ${name}}
spec:
  match:
    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]
  rules:
    - name: label
      metadata:
        labels:
          required: [{key: ${label}}]
`;

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function errorCount(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('portcullis_policy_reload_errors_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('config reloader', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pcl-reload-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('swaps in a new configuration when a policy file changes, and keeps the last good one after a bad edit', async () => {
    const file = path.join(dir, 'team.yaml');
    await writeFile(file, policy('team-label', 'team'));
    const registry = new Registry();
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [dir] }, logger: pino({ level: 'silent' }), registry, debounceMs: 20 });
    const first = await reloader.start();
    try {
      assert.deepEqual(first.policies.policies.map((p) => p.name), ['team-label']);

      await writeFile(file, policy('cost-center', 'cost-center'));
      await eventually(() => reloader.current().policies.policies[0]?.name === 'cost-center', 'the edited policy to be in force');
      const good = reloader.current();

      await writeFile(file, 'apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata: {name: broken}\nspec: {match: {}}\n');
      await eventually(async () => (await errorCount(registry)) >= 1, 'the reload error to be counted');
      assert.equal(reloader.current(), good, 'the last good configuration stays in force');
    } finally {
      reloader.stop();
    }
  });

  it('reload() reports whether a new configuration is in force and never throws', async () => {
    let calls = 0;
    const registry = new Registry();
    const fake = { policies: { policies: [] }, crds: { crds: [] } } as never;
    const reloader = createConfigReloader({
      sources: { crdPaths: [], policyPaths: [] },
      logger: pino({ level: 'silent' }),
      registry,
      watch: false,
      load: async () => {
        calls++;
        if (calls === 2) throw new Error('bad file');
        return fake;
      },
    });
    await reloader.start();
    assert.equal(await reloader.reload(), false);
    assert.equal(await errorCount(registry), 1);
    assert.equal(await reloader.reload(), true);
    reloader.stop();
  });

  it('collapses reloads asked for during a reload into one more', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const reloader = createConfigReloader({
      sources: { crdPaths: [], policyPaths: [] },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      watch: false,
      load: async () => {
        calls++;
        if (calls === 2) await new Promise<void>((r) => (release = r));
        return { policies: { policies: [] }, crds: { crds: [] } } as never;
      },
    });
    await reloader.start();
    const first = reloader.reload();
    const second = reloader.reload();
    const third = reloader.reload();
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all([first, second, third]);
    assert.equal(calls, 3, 'start, the running reload, and one more for the two asked during it');
    reloader.stop();
  });

  it('answers every request during reloads, each from one whole configuration', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcl-reload-busy-'));
    const file = path.join(dir, 'p.yaml');
    await writeFile(file, policy('team-label', 'team'));
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [dir] }, logger: pino({ level: 'silent' }), registry: new Registry(), watch: false });
    await reloader.start();
    const { createMutateHandler } = await import('../../../src/admission/handlers.js');
    const handler = createMutateHandler({ chain: () => reloader.current().chain });
    const request = {
      uid: 'u',
      kind: { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' },
      resource: { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' },
      namespace: 'default',
      operation: 'CREATE' as const,
      userInfo: { username: 'ann' },
      object: { apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default', labels: { team: 'a' } }, spec: { image: 'nginx' } },
      oldObject: null,
    };
    let answered = 0;
    let busy = true;
    const traffic = (async () => {
      while (busy) {
        const response = handler(request);
        // Either configuration allows this object; a half-swapped chain would throw or deny.
        assert.equal(response.allowed, true, JSON.stringify(response.status));
        answered++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      for (let i = 0; i < 5; i++) {
        await writeFile(file, policy(i % 2 === 0 ? 'cost-center' : 'team-label', 'team'));
        assert.equal(await reloader.reload(), true);
      }
    } finally {
      busy = false;
      await traffic;
      reloader.stop();
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(answered > 5, `answered ${answered} requests`);
  });

  it('current() before start is an error', () => {
    const reloader = createConfigReloader({ sources: { crdPaths: [], policyPaths: [] }, logger: pino({ level: 'silent' }), registry: new Registry(), watch: false });
    assert.throws(() => reloader.current(), /not started/);
  });
});
