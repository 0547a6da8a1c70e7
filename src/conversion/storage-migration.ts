import { errorMessage, PortcullisError } from '../kube/errors.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject } from '../kube/types.js';

/**
 * Storage migration: rewrite every stored object of a CRD in its current
 * storage version, then drop the other versions from the CRD's
 * `status.storedVersions` (so a version can be removed from the CRD). The
 * same steps as the in-tree StorageVersionMigration controller (a no-op
 * merge patch carrying the object's resourceVersion per object), done by a
 * client, so it works on clusters without that controller.
 */

/** MigrationTarget addresses the custom resource being migrated, in its storage version. */
export interface MigrationTarget {
  group: string;
  /** version is the storage version: objects are listed and patched through it. */
  version: string;
  /** plural is the resource name in URLs (`crontabs`). */
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** ObjectRef names one object to touch: its namespace ("" when cluster-scoped), name and the resourceVersion it was read at. */
export interface ObjectRef {
  namespace: string;
  name: string;
  resourceVersion: string;
}

/**
 * StorageClient is the slice of the API a migration needs. Every method
 * rejects with an error carrying the HTTP status in `code` (what
 * @kubernetes/client-node's ApiException has) when the apiserver says no.
 */
export interface StorageClient {
  /** getCrd reads a CustomResourceDefinition. */
  getCrd(name: string): Promise<JsonObject>;
  /** listPage lists up to `limit` objects of target across namespaces, from `continue`. */
  listPage(target: MigrationTarget, page: { limit: number; continue?: string }): Promise<{ items: JsonObject[]; continue?: string }>;
  /** get reads one object. */
  get(target: MigrationTarget, namespace: string, name: string): Promise<JsonObject>;
  /** touch sends a no-op merge patch with the object's resourceVersion (409 if it changed since) and returns the new resourceVersion. */
  touch(target: MigrationTarget, object: ObjectRef): Promise<string>;
  /** setStoredVersions replaces the CRD's status.storedVersions; resourceVersion makes it conditional (409). */
  setStoredVersions(crdName: string, storedVersions: string[], resourceVersion: string): Promise<void>;
}

/** MigrationProgress is reported after every page and at the end. */
export interface MigrationProgress {
  crd: string;
  /** rewritten objects were stored in another version and are now in the storage version. */
  rewritten: number;
  /** unchanged objects were in the storage version already (the patch wrote nothing). */
  unchanged: number;
  /** gone objects were deleted while the migration ran. */
  gone: number;
  /** failed lists `namespace/name: message` of objects that could not be rewritten. */
  failed: string[];
}

/** MigrationResult is what migrateStorage did. */
export interface MigrationResult extends MigrationProgress {
  storageVersion: string;
  /** storedVersions before and after; `after` equals `before` when some object failed. */
  storedVersions: { before: string[]; after: string[] };
}

/** MigrateStorageOptions configures migrateStorage. */
export interface MigrateStorageOptions {
  client: StorageClient;
  /** crd is the CRD's name, e.g. `crontabs.example.com`. */
  crd: string;
  /** pageSize is the LIST limit; default 500 (what kubectl uses). */
  pageSize?: number;
  /** conflictRetries bounds re-reads of an object that changed under us; default 5. */
  conflictRetries?: number;
  /** onProgress hears the counts after every page. */
  onProgress?: (progress: MigrationProgress) => void;
}

/** StorageMigrationError is a migration that could not finish (the CRD is missing or changed, a LIST failed). */
export class StorageMigrationError extends PortcullisError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('PCL_ERR_STORAGE_MIGRATION', message, options);
  }
}

/**
 * migrateStorage rewrites every object of the CRD in its storage version:
 * a paged LIST through the storage version, then per object a no-op merge
 * patch conditional on the resourceVersion it was listed at. A conflict
 * means the object changed since: it is read again and touched again (up
 * to `conflictRetries` times); an object deleted meanwhile is skipped. When
 * every object is done, `status.storedVersions` becomes just the storage
 * version, provided the CRD's generation and storage version did not
 * change during the run (else StorageMigrationError: run it again). Objects
 * that fail (a conversion the webhook refuses, say) are listed in `failed`
 * and leave storedVersions alone.
 */
export async function migrateStorage(options: MigrateStorageOptions): Promise<MigrationResult> {
  const { client, crd: crdName } = options;
  const start = await readCrd(client, crdName);
  const progress: MigrationProgress = { crd: crdName, rewritten: 0, unchanged: 0, gone: 0, failed: [] };
  let token: string | undefined;
  do {
    let page: { items: JsonObject[]; continue?: string };
    try {
      page = await client.listPage(start.target, { limit: options.pageSize ?? 500, ...(token === undefined ? {} : { continue: token }) });
    } catch (err) {
      throw new StorageMigrationError(`${crdName}: listing ${start.target.plural}.${start.target.group}/${start.target.version} failed: ${apiMessage(err)}`, { cause: err });
    }
    for (const item of page.items) await migrateObject(client, start.target, item, progress, options.conflictRetries ?? 5);
    options.onProgress?.({ ...progress, failed: [...progress.failed] });
    token = page.continue || undefined;
  } while (token !== undefined);

  const before = start.storedVersions;
  if (progress.failed.length > 0 || (before.length === 1 && before[0] === start.storage)) {
    return { ...progress, storageVersion: start.storage, storedVersions: { before, after: before } };
  }
  await clearStoredVersions(client, crdName, start);
  return { ...progress, storageVersion: start.storage, storedVersions: { before, after: [start.storage] } };
}

interface CrdState {
  target: MigrationTarget;
  storage: string;
  generation: number;
  storedVersions: string[];
  resourceVersion: string;
}

async function readCrd(client: StorageClient, name: string): Promise<CrdState> {
  let crd: JsonObject;
  try {
    crd = await client.getCrd(name);
  } catch (err) {
    throw new StorageMigrationError(`${name}: reading the CustomResourceDefinition failed: ${apiMessage(err)}`, { cause: err });
  }
  const spec = isJsonObject(crd['spec']) ? crd['spec'] : {};
  const names = isJsonObject(spec['names']) ? spec['names'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isJsonObject) : [];
  const storage = versions.find((v) => v['storage'] === true)?.['name'];
  if (typeof storage !== 'string') throw new StorageMigrationError(`${name}: spec.versions has no storage version`);
  const status = isJsonObject(crd['status']) ? crd['status'] : {};
  const metadata = isJsonObject(crd['metadata']) ? crd['metadata'] : {};
  return {
    target: { group: String(spec['group']), version: storage, plural: String(names['plural']), kind: String(names['kind']), namespaced: spec['scope'] !== 'Cluster' },
    storage,
    generation: Number(metadata['generation'] ?? 0),
    storedVersions: Array.isArray(status['storedVersions']) ? status['storedVersions'].map(String) : [],
    resourceVersion: String(metadata['resourceVersion'] ?? ''),
  };
}

async function migrateObject(client: StorageClient, target: MigrationTarget, item: JsonObject, progress: MigrationProgress, retries: number): Promise<void> {
  let ref = refOf(item);
  for (let attempt = 0; ; attempt++) {
    try {
      const after = await client.touch(target, ref);
      if (after === ref.resourceVersion) progress.unchanged++;
      else progress.rewritten++;
      return;
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) {
        progress.gone++;
        return;
      }
      if (status !== 409 || attempt >= retries) {
        progress.failed.push(`${nameOf(ref)}: ${apiMessage(err)}`);
        return;
      }
    }
    // Changed since it was listed: read it again and touch the current version.
    try {
      ref = refOf(await client.get(target, ref.namespace, ref.name));
    } catch (err) {
      if (statusOf(err) === 404) {
        progress.gone++;
        return;
      }
      progress.failed.push(`${nameOf(ref)}: ${apiMessage(err)}`);
      return;
    }
  }
}

async function clearStoredVersions(client: StorageClient, name: string, start: CrdState): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = await readCrd(client, name);
    if (now.storage !== start.storage || now.generation !== start.generation) {
      throw new StorageMigrationError(
        `${name}: the CRD changed during the migration (storage version ${start.storage} -> ${now.storage}, generation ${start.generation} -> ${now.generation}); status.storedVersions left as ${JSON.stringify(now.storedVersions)}: run migrate-storage again`,
      );
    }
    try {
      await client.setStoredVersions(name, [start.storage], now.resourceVersion);
      return;
    } catch (err) {
      if (statusOf(err) !== 409) throw new StorageMigrationError(`${name}: updating status.storedVersions failed: ${apiMessage(err)}`, { cause: err });
    }
  }
  throw new StorageMigrationError(`${name}: status.storedVersions kept changing under us; run migrate-storage again`);
}

function refOf(object: JsonObject): ObjectRef {
  const metadata = isJsonObject(object['metadata']) ? object['metadata'] : {};
  return { namespace: String(metadata['namespace'] ?? ''), name: String(metadata['name'] ?? ''), resourceVersion: String(metadata['resourceVersion'] ?? '') };
}

function nameOf(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** statusOf reads the HTTP status of an API error (`code` on client-node's ApiException, `statusCode` elsewhere). */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  return typeof code === 'number' ? code : typeof statusCode === 'number' ? statusCode : undefined;
}

/** apiMessage is the apiserver's own message when the error carries a Status body, else the error's message. */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (isJsonObject(parsed as JsonObject) && typeof (parsed as JsonObject)['message'] === 'string') return (parsed as JsonObject)['message'] as string;
  return errorMessage(err);
}
