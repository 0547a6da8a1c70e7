import { createAdmissionChain } from '../admission/chain.js';
import type { AdmissionChain } from '../admission/stage.js';
import { loadCrds } from '../schema/crd-loader.js';
import { createCrdRegistry } from '../schema/crd-registry.js';
import type { CrdRegistry } from '../schema/crd-registry.js';
import { createKubernetesExtensions } from '../schema/kubernetes-extensions.js';
import { createCelEnvironment } from '../cel/environment.js';
import { loadPolicies } from '../policy/loader.js';
import { createPolicyEngine } from '../policy/policy-engine.js';
import type { PolicyEngine } from '../policy/policy-engine.js';

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
  /** policies are the compiled AdmissionPolicies in force. */
  policies: PolicyEngine;
  /** files are the policy files read (CRD folders are watched as given). */
  policyFiles: readonly string[];
  /** loadedAt is when this configuration was compiled. */
  loadedAt: Date;
}

/**
 * loadRuntimeConfig reads and compiles CRDs and AdmissionPolicies into the
 * admission chain: schema defaults, then policy mutations; schema
 * validation, then policy rules. Throws LoadError on any bad file; the caller keeps its last
 * good config.
 */
export async function loadRuntimeConfig(sources: RuntimeSources, now: () => Date = () => new Date()): Promise<RuntimeConfig> {
  const crds = createCrdRegistry(await loadCrds(sources.crdPaths), { extensions: createKubernetesExtensions() });
  const loaded = await loadPolicies(sources.policyPaths, { cel: createCelEnvironment() });
  const policies = createPolicyEngine(loaded.policies);
  const chain: AdmissionChain = createAdmissionChain({ crds, policies });
  return { crds, chain, policies, policyFiles: loaded.files, loadedAt: now() };
}
