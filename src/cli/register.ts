import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { UsageError } from './args.js';
import type { GeneratedManifests, KubeManifest } from './webhook-manifests.js';

/** FIELD_MANAGER owns the fields `serve --register` applies (server-side apply). */
export const FIELD_MANAGER = 'portcullis';

/** ObjectApplier applies one object idempotently; injected so tests need no cluster. */
export type ObjectApplier = (object: KubeManifest) => Promise<void>;

/** RegisterOptions configures registerWebhooks. */
export interface RegisterOptions {
  manifests: GeneratedManifests;
  apply: ObjectApplier;
  logger: Logger;
}

/**
 * registerWebhooks applies the webhook configurations and CRD conversion
 * stanzas. Conversion stanzas go first: the admission configurations start
 * sending requests at once, the conversions only matter for stored objects.
 * Each apply is a server-side apply, so running it again changes nothing and
 * fields owned by others (e.g. a caBundle injected by cert-manager when no
 * caBundle is given) are left alone.
 */
export async function registerWebhooks(options: RegisterOptions): Promise<void> {
  const { manifests, apply, logger } = options;
  for (const object of [...manifests.conversions, manifests.validating, manifests.mutating]) {
    try {
      await apply(object);
    } catch (err) {
      throw new Error(`registering ${object.kind}/${object.metadata.name}: ${describeApiError(err)}`, { cause: err });
    }
    logger.info({ kind: object.kind, name: object.metadata.name }, 'registered');
  }
}

/** KubeClientOptions says which cluster to talk to. */
export interface KubeClientOptions {
  /** kubeconfig is a kubeconfig file; default: in-cluster service account, else $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  /** context is the kubeconfig context to use instead of its current-context (kubectl's --context). */
  context?: string;
}

/**
 * createServerSideApplier returns an ObjectApplier that server-side applies
 * webhook configurations with field manager `portcullis`, forcing conflicts
 * (the registration is the source of truth for these fields). A CRD's
 * conversion stanza is JSON-merge-patched instead, clearing the other half of
 * its clientConfig: the CRD file may carry `service` while we register a
 * `url` (or the reverse), and server-side apply would keep both, which the
 * apiserver rejects. Both are idempotent: a repeat changes nothing.
 */
export function createServerSideApplier(options: KubeClientOptions = {}): ObjectApplier {
  const config = new KubeConfig();
  if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
  else config.loadFromDefault();
  if (options.context !== undefined) {
    if (!config.getContexts().some((c) => c.name === options.context)) throw new UsageError(`--context ${options.context}: the kubeconfig has no such context (it has: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    config.setCurrentContext(options.context);
  }
  const client = KubernetesObjectApi.makeApiClient(config);
  return async (object) => {
    if (object.kind === 'CustomResourceDefinition') {
      await client.patch(withExclusiveClientConfig(object) as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
      return;
    }
    await client.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  };
}

/** withExclusiveClientConfig returns a copy of a conversion stanza patch whose clientConfig nulls the alternative it doesn't use. */
export function withExclusiveClientConfig(object: KubeManifest): KubeManifest {
  const copy = structuredClone(object);
  const clientConfig = (copy['spec'] as { conversion?: { webhook?: { clientConfig?: Record<string, unknown> } } } | undefined)?.conversion?.webhook?.clientConfig;
  if (clientConfig) {
    if ('url' in clientConfig) clientConfig['service'] = null;
    else clientConfig['url'] = null;
  }
  return copy;
}

// client-node 1.x throws ApiException with `code` and a JSON `body`; show the apiserver's message.
function describeApiError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  if (typeof e.code === 'number' && e.body !== undefined) {
    let message: unknown = e.body;
    try {
      message = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }).message ?? e.body : (e.body as { message?: string }).message;
    } catch {
      // not JSON: keep the body as it is
    }
    return `HTTP ${e.code}: ${String(message)}`;
  }
  return e.message ?? String(err);
}
