import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runMigrateStorage, storageVersionMigration } from '../../../src/cli/migrate-storage.js';
import { migrateStorage, StorageMigrationError } from '../../../src/conversion/storage-migration.js';
import type { MigrationProgress, StorageClient } from '../../../src/conversion/storage-migration.js';
import type { JsonObject } from '../../../src/kube/types.js';

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`HTTP ${code}`);
    (this as { body?: string }).body = JSON.stringify({ kind: 'Status', message });
  }
}

interface Stored {
  namespace: string;
  name: string;
  resourceVersion: number;
  /** version is the apiVersion the object is stored in. */
  version: string;
}

/**
 * A fake apiserver for one CRD: objects with a stored version and a resourceVersion; a touch
 * stores the object in the storage version (bumping the resourceVersion only when that changes
 * the stored bytes, as the apiserver's no-op detection does).
 */
function fakeCluster(objects: Stored[], options: { storage?: string; storedVersions?: string[]; failing?: string[] } = {}) {
  let rv = 100;
  const crd = {
    metadata: { name: 'crontabs.example.com', generation: 2, resourceVersion: '7' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' }, versions: [{ name: 'v1beta1', storage: false }, { name: options.storage ?? 'v1', storage: true }] },
    status: { storedVersions: options.storedVersions ?? ['v1beta1', 'v1'] },
  };
  const calls: string[] = [];
  const hooks: { beforeTouch?: (object: Stored) => void } = {};
  const find = (namespace: string, name: string) => objects.find((o) => o.namespace === namespace && o.name === name);
  const asJson = (o: Stored): JsonObject => ({ apiVersion: `example.com/${crd.spec.versions[1]!.name}`, kind: 'CronTab', metadata: { namespace: o.namespace, name: o.name, resourceVersion: String(o.resourceVersion) } });
  const client: StorageClient = {
    getCrd: async () => structuredClone(crd) as unknown as JsonObject,
    async listPage(target, page) {
      calls.push(`list ${target.version} limit=${page.limit} continue=${page.continue ?? ''}`);
      const start = Number(page.continue ?? 0);
      const items = objects.slice(start, start + page.limit).map(asJson);
      return { items, ...(start + page.limit < objects.length ? { continue: String(start + page.limit) } : {}) };
    },
    async get(_target, namespace, name) {
      const found = find(namespace, name);
      if (!found) throw new ApiError(404, 'not found');
      return asJson(found);
    },
    async touch(target, ref) {
      const found = find(ref.namespace, ref.name);
      if (found) hooks.beforeTouch?.(found);
      if (!found || !objects.includes(found)) throw new ApiError(404, `crontabs "${ref.name}" not found`);
      if (String(found.resourceVersion) !== ref.resourceVersion) throw new ApiError(409, 'the object has been modified');
      if (options.failing?.includes(found.name)) throw new ApiError(500, `conversion webhook for example.com/v1beta1, Kind=CronTab failed: ${found.namespace}/${found.name}: boom`);
      if (found.version !== target.version) {
        found.version = target.version;
        found.resourceVersion = ++rv;
      }
      return String(found.resourceVersion);
    },
    async setStoredVersions(name, storedVersions, resourceVersion) {
      calls.push(`storedVersions ${name} ${JSON.stringify(storedVersions)} rv=${resourceVersion}`);
      crd.status.storedVersions = storedVersions;
    },
  };
  return { client, crd, calls, hooks, objects };
}

const stored = (n: number, version = 'v1beta1'): Stored[] => Array.from({ length: n }, (_, i) => ({ namespace: 'ns', name: `c${i}`, resourceVersion: i + 1, version }));

describe('migrateStorage', () => {
  test('rewrites every object in pages through the storage version, then sets storedVersions to the storage version alone', async () => {
    const cluster = fakeCluster([...stored(5), { namespace: 'ns', name: 'current', resourceVersion: 50, version: 'v1' }]);
    const progress: MigrationProgress[] = [];
    const result = await migrateStorage({ client: cluster.client, crd: 'crontabs.example.com', pageSize: 4, onProgress: (p) => progress.push(p) });
    assert.deepEqual(cluster.objects.map((o) => o.version), ['v1', 'v1', 'v1', 'v1', 'v1', 'v1']);
    assert.deepEqual([result.rewritten, result.unchanged, result.gone, result.failed], [5, 1, 0, []]);
    assert.deepEqual(result.storedVersions, { before: ['v1beta1', 'v1'], after: ['v1'] });
    assert.deepEqual(cluster.calls, ['list v1 limit=4 continue=', 'list v1 limit=4 continue=4', 'storedVersions crontabs.example.com ["v1"] rv=7']);
    assert.deepEqual(progress.map((p) => p.rewritten + p.unchanged), [4, 6], 'progress after every page');
  });

  test('an object changed since the LIST is read again and touched again; one deleted meanwhile is skipped', async () => {
    const cluster = fakeCluster(stored(3));
    let once = false;
    cluster.hooks.beforeTouch = (object) => {
      if (object.name === 'c0' && !once) {
        once = true;
        object.resourceVersion = 99; // another client wrote it, through v1beta1 storage still
      }
      if (object.name === 'c1') cluster.objects.splice(cluster.objects.indexOf(object), 1);
    };
    const result = await migrateStorage({ client: cluster.client, crd: 'crontabs.example.com' });
    assert.deepEqual([result.rewritten, result.gone, result.failed], [2, 1, []]);
    assert.deepEqual(result.storedVersions.after, ['v1']);
  });

  test('objects that fail are named, with the apiserver message, and leave storedVersions alone', async () => {
    const cluster = fakeCluster(stored(3), { failing: ['c1'] });
    const result = await migrateStorage({ client: cluster.client, crd: 'crontabs.example.com' });
    assert.deepEqual(result.failed, ['ns/c1: conversion webhook for example.com/v1beta1, Kind=CronTab failed: ns/c1: boom']);
    assert.equal(result.rewritten, 2);
    assert.deepEqual(result.storedVersions, { before: ['v1beta1', 'v1'], after: ['v1beta1', 'v1'] });
    assert.deepEqual(cluster.crd.status.storedVersions, ['v1beta1', 'v1']);
  });

  test('a CRD whose generation changed during the run keeps its storedVersions: run it again', async () => {
    const cluster = fakeCluster(stored(1));
    cluster.hooks.beforeTouch = () => {
      cluster.crd.metadata.generation = 3;
    };
    await assert.rejects(migrateStorage({ client: cluster.client, crd: 'crontabs.example.com' }), (err: unknown) => {
      assert.ok(err instanceof StorageMigrationError);
      assert.equal(err.code, 'PCL_ERR_STORAGE_MIGRATION');
      assert.match(err.message, /^crontabs\.example\.com: the CRD changed during the migration \(storage version v1 -> v1, generation 2 -> 3\); status\.storedVersions left as \["v1beta1","v1"\]: run migrate-storage again$/);
      return true;
    });
    assert.deepEqual(cluster.crd.status.storedVersions, ['v1beta1', 'v1']);
  });

  test('a LIST that fails stops the migration with the apiserver message', async () => {
    const cluster = fakeCluster(stored(1));
    cluster.client.listPage = async () => {
      throw new ApiError(500, 'conversion webhook for example.com/v1beta1, Kind=CronTab failed: ns/c0: boom');
    };
    await assert.rejects(migrateStorage({ client: cluster.client, crd: 'crontabs.example.com' }), /^StorageMigrationError: crontabs\.example\.com: listing crontabs\.example\.com\/v1 failed: conversion webhook .*ns\/c0: boom$/);
  });
});

describe('portcullis migrate-storage', () => {
  const run = async (argv: string[], client?: StorageClient) => {
    let out = '';
    let err = '';
    const code = await runMigrateStorage(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }, client ? { client: () => client } : {});
    return { code, out, err };
  };

  test('reports progress and the storedVersions change on stderr, exit 0', async () => {
    const cluster = fakeCluster(stored(3));
    const { code, out, err } = await run(['crontabs.example.com', '--chunk-size', '2'], cluster.client);
    assert.equal(code, 0);
    assert.equal(out, '');
    assert.equal(
      err,
      'migrate-storage: crontabs.example.com: 2 rewritten, 0 already current, 0 deleted meanwhile, 0 failed so far\n' +
        'migrate-storage: crontabs.example.com: 3 rewritten, 0 already current, 0 deleted meanwhile, 0 failed so far\n' +
        'migrate-storage: crontabs.example.com: 3 rewritten, 0 already current, 0 deleted meanwhile, 0 failed; status.storedVersions ["v1beta1","v1"] -> ["v1"]\n',
    );
  });

  test('exits 1 naming the objects that failed', async () => {
    const cluster = fakeCluster(stored(2), { failing: ['c0'] });
    const { code, err } = await run(['crontabs.example.com'], cluster.client);
    assert.equal(code, 1);
    assert.match(err, /^migrate-storage: crontabs\.example\.com: failed: ns\/c0: conversion webhook .*: boom$/m);
    assert.match(err, /status\.storedVersions left as \["v1beta1","v1"\]: fix the objects above and run again\n$/);
  });

  test('--svm prints the in-tree StorageVersionMigration instead', async () => {
    assert.deepEqual(storageVersionMigration('crontabs.example.com'), {
      apiVersion: 'storagemigration.k8s.io/v1',
      kind: 'StorageVersionMigration',
      metadata: { name: 'crontabs.example.com-storage' },
      spec: { resource: { group: 'example.com', resource: 'crontabs' } },
    });
    const { code, out } = await run(['crontabs.example.com', '--svm']);
    assert.equal(code, 0);
    assert.match(out, /^apiVersion: storagemigration.k8s.io\/v1\nkind: StorageVersionMigration\n/);
  });

  test('needs a CRD name and a positive chunk size', async () => {
    await assert.rejects(run([]), /needs at least one CRD name/);
    await assert.rejects(run(['CronTab']), /is not a CRD name/);
    await assert.rejects(run(['crontabs.example.com', '--chunk-size', '0']), /--chunk-size must be a positive integer/);
  });
});
