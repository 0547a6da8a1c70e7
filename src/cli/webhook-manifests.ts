import type { CustomResourceDefinition } from '../schema/crd.js';

/**
 * The webhook configurations and CRD conversion stanzas Portcullis needs,
 * computed from what the server loads, so that what the apiserver sends and
 * what the server enforces never drift apart. Pure functions: the `manifests`
 * command prints them, `serve --register` applies them.
 */

/** WebhookRule is one admissionregistration.k8s.io/v1 RuleWithOperations. */
export interface WebhookRule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: 'Cluster' | 'Namespaced' | '*';
}

/** ManifestOptions says where the webhook is reached and how the apiserver should call it; every field has a default. */
export interface ManifestOptions {
  /** name of both configurations; default `portcullis`. */
  name?: string;
  /** namespace of the server and its Service; default `portcullis-system` (also left out by the namespaceSelector). */
  namespace?: string;
  /** service is the Service name; default `portcullis-webhook`. */
  service?: string;
  /** port of the Service; default 443. */
  port?: number;
  /** url replaces the Service with a base URL (`https://host:port`), e.g. for a server outside the cluster. */
  url?: string;
  /** caBundle is the PEM CA that signed the serving certificate; omitted when not given (cert-manager injects it). */
  caBundle?: string;
  /** failurePolicy default Fail. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** timeoutSeconds default 5 (1..30). */
  timeoutSeconds?: number;
  /** excludeNamespaces are never sent to the webhooks; default kube-system, kube-node-lease and `namespace`. */
  excludeNamespaces?: string[];
  /** validatingWebhook / mutatingWebhook are the webhook names shown in denials; default validate.portcullis.dev / mutate.portcullis.dev. */
  validatingWebhook?: string;
  mutatingWebhook?: string;
}

/** KubeManifest is a Kubernetes object as plain data. */
export type KubeManifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;

/** GeneratedManifests are the objects to register. */
export interface GeneratedManifests {
  validating: KubeManifest;
  mutating: KubeManifest;
  /** conversions are partial CRDs carrying only `spec.conversion`, one per CRD that has more than one version. */
  conversions: KubeManifest[];
}

/** DEFAULTS are the values used when ManifestOptions leaves a field out. */
export const MANIFEST_DEFAULTS = {
  name: 'portcullis',
  namespace: 'portcullis-system',
  service: 'portcullis-webhook',
  port: 443,
  failurePolicy: 'Fail',
  timeoutSeconds: 5,
  validatingWebhook: 'validate.portcullis.dev',
  mutatingWebhook: 'mutate.portcullis.dev',
} as const;

/** rulesForCrds returns one CREATE/UPDATE/DELETE rule per CRD, over its served versions; the status subresource is included where the CRD has one. */
export function rulesForCrds(crds: readonly CustomResourceDefinition[]): WebhookRule[] {
  return [...crds]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((crd) => ({
      operations: ['CREATE', 'UPDATE', 'DELETE'],
      apiGroups: [crd.spec.group],
      apiVersions: crd.spec.versions.filter((v) => v.served).map((v) => v.name),
      resources: crd.spec.versions.some((v) => v.subresources?.status !== undefined) ? [crd.spec.names.plural, `${crd.spec.names.plural}/status`] : [crd.spec.names.plural],
      scope: crd.spec.scope,
    }));
}

/** needsConversion is true for a CRD whose objects may be stored and served in different versions. */
export function needsConversion(crd: CustomResourceDefinition): boolean {
  return crd.spec.versions.length > 1;
}

/** clientConfig returns a webhook clientConfig for `path`: the Service (or the URL), and the base64 caBundle when known. */
export function clientConfig(options: ManifestOptions, path: string): Record<string, unknown> {
  const target = options.url
    ? { url: `${options.url.replace(/\/+$/, '')}${path}` }
    : { service: { namespace: options.namespace ?? MANIFEST_DEFAULTS.namespace, name: options.service ?? MANIFEST_DEFAULTS.service, path, port: options.port ?? MANIFEST_DEFAULTS.port } };
  return options.caBundle ? { ...target, caBundle: Buffer.from(options.caBundle).toString('base64') } : target;
}

/**
 * generateManifests builds the Validating- and MutatingWebhookConfiguration
 * (failurePolicy Fail, sideEffects None, admissionReviewVersions [v1,
 * v1beta1], timeoutSeconds 5, kube-system, kube-node-lease and the server's
 * own namespace left out) for `rules`, and a conversion stanza for every CRD
 * with more than one version. Output is deterministic (sorted), so it can be
 * diffed and checked in.
 */
export function generateManifests(crds: readonly CustomResourceDefinition[], rules: readonly WebhookRule[], options: ManifestOptions = {}): GeneratedManifests {
  const namespace = options.namespace ?? MANIFEST_DEFAULTS.namespace;
  const timeoutSeconds = options.timeoutSeconds ?? MANIFEST_DEFAULTS.timeoutSeconds;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30) throw new RangeError(`timeoutSeconds must be 1..30, got ${timeoutSeconds}`);
  const excluded = options.excludeNamespaces ?? ['kube-system', 'kube-node-lease', namespace];
  const common = {
    rules: rules.map((r) => ({ ...r })),
    failurePolicy: options.failurePolicy ?? MANIFEST_DEFAULTS.failurePolicy,
    matchPolicy: 'Equivalent',
    sideEffects: 'None',
    admissionReviewVersions: ['v1', 'v1beta1'],
    timeoutSeconds,
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...new Set(excluded)] }] },
  };
  const name = options.name ?? MANIFEST_DEFAULTS.name;
  const validating: KubeManifest = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [{ name: options.validatingWebhook ?? MANIFEST_DEFAULTS.validatingWebhook, clientConfig: clientConfig(options, '/validate'), ...common }],
  };
  const mutating: KubeManifest = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [{ name: options.mutatingWebhook ?? MANIFEST_DEFAULTS.mutatingWebhook, clientConfig: clientConfig(options, '/mutate'), ...common, reinvocationPolicy: 'Never' }],
  };
  const conversions = [...crds]
    .filter(needsConversion)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((crd): KubeManifest => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crd.metadata.name },
      spec: { conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: clientConfig(options, '/convert') } } },
    }));
  return { validating, mutating, conversions };
}
