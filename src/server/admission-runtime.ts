import { createSchemaDefaulter, createSchemaValidator } from '../admission/schema-stages.js';
import type { AdmissionChain } from '../admission/stage.js';
import { loadCrds } from '../schema/crd-loader.js';
import { createCrdRegistry } from '../schema/crd-registry.js';
import type { CrdRegistry } from '../schema/crd-registry.js';
import { createKubernetesExtensions } from '../schema/kubernetes-extensions.js';

/** RuntimeSources names where the server's configuration comes from. */
export interface RuntimeSources {
  /** crdPaths are YAML files or folders of CRDs. */
  crdPaths: readonly string[];
  /** policyPaths are folders or files of policies. */
  policyPaths: readonly string[];
}

/** RuntimeConfig is one loaded, compiled configuration: swapped whole on reload. */
export interface RuntimeConfig {
  crds: CrdRegistry;
  chain: AdmissionChain;
  /** loadedAt is when this configuration was compiled. */
  loadedAt: Date;
}

/**
 * loadRuntimeConfig reads and compiles CRDs (and, once policies land,
 * policies) into the admission chain: schema defaults first, then schema
 * validation. Throws LoadError on any bad file; the caller keeps its last
 * good config.
 */
export async function loadRuntimeConfig(sources: RuntimeSources, now: () => Date = () => new Date()): Promise<RuntimeConfig> {
  const crds = createCrdRegistry(await loadCrds(sources.crdPaths), { extensions: createKubernetesExtensions() });
  const chain: AdmissionChain = {
    mutators: [createSchemaDefaulter({ crds })],
    validators: [createSchemaValidator({ crds })],
  };
  return { crds, chain, loadedAt: now() };
}
