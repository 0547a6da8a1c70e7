import { ApiextensionsV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { migrateStorage, StorageMigrationError } from '../conversion/storage-migration.js';
import type { MigrationProgress, MigrationTarget, StorageClient } from '../conversion/storage-migration.js';
import type { JsonObject } from '../kube/types.js';
import { parseFlags, UsageError } from './args.js';

/** MIGRATE_STORAGE_USAGE documents `portcullis migrate-storage`. */
export const MIGRATE_STORAGE_USAGE = `Usage: portcullis migrate-storage CRD-NAME... [flags]

Rewrite every stored object of each CRD (e.g. crontabs.example.com) in its
current storage version, then drop the other versions from the CRD's
status.storedVersions, so an old version can be removed from the CRD.
Objects are listed in pages through the storage version and each gets a
no-op merge patch conditional on its resourceVersion (an object changed
meanwhile is read again and retried; one deleted meanwhile is skipped).
Objects that can't be rewritten are named on stderr and leave
storedVersions as they were (exit 1). Progress goes to stderr.

Flags:
  --kubeconfig FILE   cluster to migrate (default in-cluster, then $KUBECONFIG / ~/.kube/config)
  --chunk-size N      objects per LIST page (default 500)
  --svm               print a storagemigration.k8s.io/v1 StorageVersionMigration per CRD
                      instead (for clusters whose kube-controller-manager runs the
                      storage version migrator, GA in Kubernetes 1.37) and exit
`;

interface MigrateStorageIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** MigrateStorageDeps are what tests replace: the API client (default: one over the kubeconfig). */
export interface MigrateStorageDeps {
  client?: (kubeconfig: string | undefined) => StorageClient;
}

/** runMigrateStorage migrates each named CRD in turn; exit status 0 when every one finished, 1 otherwise. */
export async function runMigrateStorage(argv: string[], io: MigrateStorageIo, deps: MigrateStorageDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(argv, { kubeconfig: { type: 'string' }, 'chunk-size': { type: 'string' }, svm: { type: 'boolean' } }, true);
  if (positionals.length === 0) throw new UsageError('migrate-storage needs at least one CRD name, e.g. crontabs.example.com');
  for (const name of positionals) if (!/^[a-z0-9-]+\.[a-z0-9.-]+$/.test(name)) throw new UsageError(`${JSON.stringify(name)} is not a CRD name (<plural>.<group>)`);
  const pageSize = values['chunk-size'] === undefined ? 500 : Number(values['chunk-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new UsageError(`--chunk-size must be a positive integer, got ${JSON.stringify(values['chunk-size'])}`);
  if (values.svm) {
    io.stdout(positionals.map((name) => stringify(storageVersionMigration(name))).join('---\n'));
    return 0;
  }
  const client = (deps.client ?? createKubeStorageClient)(values.kubeconfig);
  let status = 0;
  for (const crd of positionals) {
    const say = (line: string) => io.stderr(`migrate-storage: ${crd}: ${line}\n`);
    try {
      const result = await migrateStorage({ client, crd, pageSize, onProgress: (p) => say(`${counts(p)} so far`) });
      for (const failure of result.failed) say(`failed: ${failure}`);
      if (result.failed.length > 0) {
        say(`${counts(result)}; status.storedVersions left as ${JSON.stringify(result.storedVersions.before)}: fix the objects above and run again`);
        status = 1;
      } else {
        say(`${counts(result)}; status.storedVersions ${JSON.stringify(result.storedVersions.before)} -> ${JSON.stringify(result.storedVersions.after)}`);
      }
    } catch (err) {
      if (!(err instanceof StorageMigrationError)) throw err;
      io.stderr(`migrate-storage: ${err.message}\n`);
      status = 1;
    }
  }
  return status;
}

function counts(p: MigrationProgress): string {
  return `${p.rewritten} rewritten, ${p.unchanged} already current, ${p.gone} deleted meanwhile, ${p.failed.length} failed`;
}

/** storageVersionMigration is the in-tree migration object for a CRD: resource `<plural>` of group `<group>`. */
export function storageVersionMigration(crdName: string): JsonObject {
  const dot = crdName.indexOf('.');
  return {
    apiVersion: 'storagemigration.k8s.io/v1',
    kind: 'StorageVersionMigration',
    metadata: { name: `${crdName}-storage` },
    spec: { resource: { group: crdName.slice(dot + 1), resource: crdName.slice(0, dot) } },
  };
}

/** createKubeStorageClient returns a StorageClient over @kubernetes/client-node for a kubeconfig (default: in-cluster, then $KUBECONFIG). */
export function createKubeStorageClient(kubeconfig: string | undefined): StorageClient {
  const config = new KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromDefault();
  const objects = KubernetesObjectApi.makeApiClient(config);
  const crds = config.makeApiClient(ApiextensionsV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const header = (target: MigrationTarget, namespace: string, name: string) => ({
    apiVersion: `${target.group}/${target.version}`,
    kind: target.kind,
    metadata: target.namespaced ? { namespace, name } : { name },
  });
  return {
    getCrd: async (name) => (await crds.readCustomResourceDefinition({ name })) as unknown as JsonObject,
    async listPage(target, page) {
      // The untyped custom-objects client keeps the list's metadata.continue (the generic one drops it).
      const list = (await custom.listClusterCustomObject({
        group: target.group,
        version: target.version,
        plural: target.plural,
        limit: page.limit,
        ...(page.continue === undefined ? {} : { _continue: page.continue }),
      })) as { items?: JsonObject[]; metadata?: { continue?: string } };
      return { items: list.items ?? [], continue: list.metadata?.continue };
    },
    get: async (target, namespace, name) => (await objects.read(header(target, namespace, name))) as unknown as JsonObject,
    async touch(target, ref) {
      const spec = header(target, ref.namespace, ref.name) as KubernetesObject;
      (spec.metadata as { resourceVersion?: string }).resourceVersion = ref.resourceVersion;
      const patched = await objects.patch(spec, undefined, undefined, 'portcullis-migrate-storage', undefined, PatchStrategy.MergePatch);
      return patched.metadata?.resourceVersion ?? '';
    },
    async setStoredVersions(name, storedVersions, resourceVersion) {
      const crd = await crds.readCustomResourceDefinitionStatus({ name });
      const body: V1CustomResourceDefinition = { ...crd, metadata: { ...crd.metadata, resourceVersion }, status: { ...(crd.status as NonNullable<typeof crd.status>), storedVersions } };
      await crds.replaceCustomResourceDefinitionStatus({ name, body });
    },
  };
}
