import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createConfigReloader, hashSources } from '../../../src/server/config-reloader.js';
import { createFakeClock } from '../controller/fake-clock.js';

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

  const silent = pino({ level: 'silent' });
  const names = (reloader: { current(): { policies: { policies: Array<{ name: string }> } } }) => reloader.current().policies.policies.map((p) => p.name).join(',');

  it('reloads every edit of a file in a watched folder: replaced by rename three times, then written in place (issue 14, defect 1)', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'pcl-reload-rename-'));
    const folder = path.join(outside, 'policies');
    await mkdir(folder);
    const file = path.join(folder, 'team.yaml');
    await writeFile(file, policy('v0', 'team'));
    // The watch alone must see each edit: the periodic re-read is off.
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [folder] }, logger: silent, registry: new Registry(), debounceMs: 20, resyncMs: 0 });
    await reloader.start();
    try {
      for (const [version, staging] of [['v1', outside], ['v2', outside], ['v3', folder]] as const) {
        // `mv` from elsewhere, an editor's safe-save or `sed -i` (a temporary file beside it): a new file renamed over the old one.
        await writeFile(path.join(staging, '.team.yaml.tmp'), policy(version, 'team'));
        await rename(path.join(staging, '.team.yaml.tmp'), file);
        await eventually(() => names(reloader) === version, `${version} to be in force after a rename (in force: ${names(reloader)})`);
      }
      await writeFile(file, policy('v4', 'team'));
      await eventually(() => names(reloader) === 'v4', `v4 to be in force after an in-place write (in force: ${names(reloader)})`);
    } finally {
      reloader.stop();
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("reloads a mounted ConfigMap's ..data symlink swaps, each time", async () => {
    const mount = await mkdtemp(path.join(tmpdir(), 'pcl-reload-configmap-'));
    // The kubelet's layout: ..<timestamp>/ holds the files, ..data points at it, each key is a symlink through ..data.
    const publish = async (n: number) => {
      const version = `..2026_12_01_00_00_0${n}.000000000`;
      await mkdir(path.join(mount, version));
      await writeFile(path.join(mount, version, 'team.yaml'), policy(`cm${n}`, 'team'));
      await symlink(version, path.join(mount, '..data_tmp'));
      await rename(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
      if (n > 0) await rm(path.join(mount, `..2026_12_01_00_00_0${n - 1}.000000000`), { recursive: true });
    };
    await publish(0);
    await symlink(path.join('..data', 'team.yaml'), path.join(mount, 'team.yaml'));
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [mount] }, logger: silent, registry: new Registry(), debounceMs: 20, resyncMs: 0 });
    await reloader.start();
    try {
      assert.equal(names(reloader), 'cm0');
      for (const n of [1, 2, 3]) {
        await publish(n);
        await eventually(() => names(reloader) === `cm${n}`, `cm${n} to be in force after the swap (in force: ${names(reloader)})`);
      }
    } finally {
      reloader.stop();
      await rm(mount, { recursive: true, force: true });
    }
  });

  it('watches a sub-folder created after start', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pcl-reload-subfolder-'));
    await writeFile(path.join(folder, 'a.yaml'), policy('a', 'team'));
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [folder] }, logger: silent, registry: new Registry(), debounceMs: 20, resyncMs: 0 });
    await reloader.start();
    try {
      await mkdir(path.join(folder, 'team'));
      await writeFile(path.join(folder, 'team', 'b.yaml'), policy('b', 'team'));
      await eventually(() => names(reloader) === 'a,b', `the new sub-folder's policy (in force: ${names(reloader)})`);
      await writeFile(path.join(folder, 'team', 'b.yaml'), policy('b2', 'team'));
      await eventually(() => names(reloader) === 'a,b2', `an edit inside the new sub-folder (in force: ${names(reloader)})`);
    } finally {
      reloader.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('the periodic re-read puts an edit no watch reported in force within one period, and leaves unchanged files alone', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pcl-reload-resync-'));
    const file = path.join(folder, 'team.yaml');
    await writeFile(file, policy('before', 'team'));
    const clock = createFakeClock();
    let loads = 0;
    const registry = new Registry();
    const reloader = createConfigReloader({
      sources: { crdPaths: ['manifests/crds'], policyPaths: [folder] },
      logger: silent,
      registry,
      watch: false,
      resyncMs: 30_000,
      clock,
      load: async (sources) => {
        loads += 1;
        const { loadRuntimeConfig } = await import('../../../src/server/admission-runtime.js');
        return loadRuntimeConfig(sources);
      },
    });
    await reloader.start();
    try {
      const first = reloader.status();
      assert.equal(first.hash, await hashSources({ crdPaths: ['manifests/crds'], policyPaths: [folder] }));
      await clock.advance(30_000);
      await eventually(() => reloader.status().checkedAt === clock.now(), 'the first re-read');
      assert.equal(loads, 1, 'unchanged files are hashed, not recompiled');
      await writeFile(file, policy('after', 'team'));
      await clock.advance(29_000);
      assert.equal(names(reloader), 'before', 'not before the period is over');
      await clock.advance(1000);
      await eventually(() => names(reloader) === 'after', 'the edit to be in force after one period');
      const now = reloader.status();
      assert.notEqual(now.hash, first.hash);
      assert.equal(now.loadedAt, clock.now());
      const scrape = await registry.metrics();
      assert.match(scrape, new RegExp(`^portcullis_config_info\\{hash="${now.hash}"\\} 1$`, 'm'));
      assert.doesNotMatch(scrape, new RegExp(first.hash));
      assert.match(scrape, new RegExp(`^portcullis_config_last_load_success_timestamp_seconds ${clock.now() / 1000}$`, 'm'));
    } finally {
      reloader.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('check() after a bad edit keeps the last good configuration, says what fails, and does not retry the same bad files', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pcl-reload-bad-'));
    const file = path.join(folder, 'team.yaml');
    await writeFile(file, policy('good', 'team'));
    const registry = new Registry();
    const reloader = createConfigReloader({ sources: { crdPaths: ['manifests/crds'], policyPaths: [folder] }, logger: silent, registry, watch: false, resyncMs: 0 });
    await reloader.start();
    try {
      const good = reloader.status().hash;
      assert.equal(await reloader.check(), false, 'nothing changed');
      await writeFile(file, 'apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata: {name: broken}\nspec: {match: {}}\n');
      assert.equal(await reloader.check(), false);
      assert.equal(await errorCount(registry), 1);
      const failing = reloader.status().failing;
      assert.ok(failing && failing.hash !== good && /team\.yaml/.test(failing.error), JSON.stringify(failing));
      assert.equal(await reloader.check(), false);
      assert.equal(await errorCount(registry), 1, 'the same bad files are not recompiled at every check');
      assert.equal(reloader.status().hash, good);
      await writeFile(file, policy('good', 'team'));
      assert.equal(await reloader.check(), false);
      assert.equal(reloader.status().failing, undefined, 'undoing the bad edit clears the failure');
    } finally {
      reloader.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
