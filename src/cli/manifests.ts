import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject } from '../kube/types.js';
import { loadCrds } from '../schema/crd-loader.js';
import type { CustomResourceDefinition } from '../schema/crd.js';
import { listYamlFiles, readYamlDocuments } from '../kube/yaml-documents.js';
import { parseFlags, UsageError } from './args.js';
import { generateManifests, rulesForCrds } from './webhook-manifests.js';
import type { GeneratedManifests, KubeManifest, ManifestOptions, WebhookRule } from './webhook-manifests.js';
import { resolveSources, SOURCE_FLAGS, SOURCE_USAGE } from './sources.js';

/** MANIFESTS_USAGE documents `portcullis manifests`. */
export const MANIFESTS_USAGE = `Usage: portcullis manifests [flags]

Print the ValidatingWebhookConfiguration, MutatingWebhookConfiguration and,
for every CRD with more than one version, the whole CRD with its conversion
webhook set, matching the CRDs and policies the server loads, as YAML
documents that plain 'kubectl apply -f -' accepts:

  portcullis manifests | kubectl apply -f -

Flags:
${SOURCE_USAGE}  -n, --namespace NS     namespace of the server (default portcullis-system)
  --service NAME         Service in front of the server (default portcullis-webhook)
  --service-port N       Service port (default 443)
  --url URL              call https://host:port instead of the Service
  --ca-bundle FILE       PEM CA to put in caBundle (default: none, e.g. cert-manager injects it)
  --failure-policy P     Fail or Ignore (default Fail)
  --timeout-seconds N    1..30 (default 5)
  --patches              print only the conversion stanzas (partial CRDs) instead
                         of whole CRDs: for 'kubectl apply --server-side' or a
                         kustomize patch; client-side apply of a partial CRD
                         would try to remove its group, names and versions
  --out-dir DIR          write webhook-configurations.yaml and crd-conversion.yaml
                         (the partial CRDs, a kustomize patch) there instead of
                         printing (how manifests/webhooks/ is made)
`;

/** ManifestFlags are the flags `manifests` and `serve --register` share. */
export const MANIFEST_FLAGS = {
  namespace: { type: 'string', short: 'n' },
  service: { type: 'string' },
  'service-port': { type: 'string' },
  url: { type: 'string' },
  'ca-bundle': { type: 'string' },
  'failure-policy': { type: 'string' },
  'timeout-seconds': { type: 'string' },
} as const;

/** manifestOptionsFrom turns parsed MANIFEST_FLAGS into ManifestOptions, checking each value. */
export async function manifestOptionsFrom(values: Partial<Record<keyof typeof MANIFEST_FLAGS, string>>): Promise<ManifestOptions> {
  const failurePolicy = values['failure-policy'];
  if (failurePolicy !== undefined && failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') throw new UsageError(`--failure-policy must be Fail or Ignore, got ${JSON.stringify(failurePolicy)}`);
  const timeout = values['timeout-seconds'] === undefined ? undefined : Number(values['timeout-seconds']);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 30)) throw new UsageError(`--timeout-seconds must be an integer 1..30, got ${JSON.stringify(values['timeout-seconds'])}`);
  const port = values['service-port'] === undefined ? undefined : Number(values['service-port']);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`--service-port must be 1..65535, got ${JSON.stringify(values['service-port'])}`);
  if (values.url !== undefined && !/^https:\/\/[^/?#@]+$/.test(values.url)) throw new UsageError(`--url must be https://host[:port] without a path, got ${JSON.stringify(values.url)}`);
  return {
    namespace: values.namespace,
    service: values.service,
    port,
    url: values.url,
    caBundle: values['ca-bundle'] === undefined ? undefined : await readFile(values['ca-bundle'], 'utf8'),
    failurePolicy,
    timeoutSeconds: timeout,
  };
}

/**
 * rulesForPolicies returns the webhook rules AdmissionPolicy documents need:
 * one per `spec.match.resources` entry. Kinds are turned into resources
 * through the loaded CRDs; a kind no CRD names can't be, and is reported in
 * `unresolved` (list `resources` in the policy instead).
 */
export function rulesForPolicies(policies: readonly JsonObject[], crds: readonly CustomResourceDefinition[]): { rules: WebhookRule[]; unresolved: string[] } {
  const rules: WebhookRule[] = [];
  const unresolved: string[] = [];
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined);
  for (const policy of policies) {
    const spec = isJsonObject(policy['spec']) ? policy['spec'] : {};
    const match = isJsonObject(spec['match']) ? spec['match'] : {};
    const operations = strings(match['operations']) ?? ['CREATE', 'UPDATE', 'DELETE'];
    for (const entry of Array.isArray(match['resources']) ? match['resources'] : []) {
      if (!isJsonObject(entry)) continue;
      const apiGroups = strings(entry['apiGroups']) ?? ['*'];
      const apiVersions = strings(entry['apiVersions']) ?? ['*'];
      let resources = strings(entry['resources']);
      if (resources === undefined) {
        const kinds = strings(entry['kinds']) ?? ['*'];
        resources = [];
        for (const kind of kinds) {
          if (kind === '*') {
            resources.push('*');
            continue;
          }
          const crd = crds.find((c) => c.spec.names.kind === kind && (apiGroups.includes('*') || apiGroups.includes(c.spec.group)));
          if (crd) resources.push(crd.spec.names.plural);
          else unresolved.push(`${String((policy['metadata'] as JsonObject | undefined)?.['name'])}: kind ${kind}`);
        }
      }
      if (resources.length > 0) rules.push({ operations, apiGroups, apiVersions, resources, scope: '*' });
    }
  }
  return { rules, unresolved };
}

/**
 * isCovered is true when `rule` sends nothing the CRD rules don't already
 * send: every resource it names is a CRD resource of its group, for at least
 * its operations (a CRD rule lists all served versions, which is what `*`
 * means for a CRD's resource).
 */
export function isCovered(rule: WebhookRule, crdRules: readonly WebhookRule[]): boolean {
  if (rule.apiGroups.includes('*') || rule.resources.some((r) => r.includes('*'))) return false;
  return rule.apiGroups.every((group) =>
    rule.resources.every((resource) =>
      crdRules.some(
        (c) =>
          c.apiGroups.includes(group) &&
          c.resources.includes(resource) &&
          rule.operations.every((op) => c.operations.includes(op)) &&
          rule.apiVersions.every((v) => v === '*' || c.apiVersions.includes(v)),
      ),
    ),
  );
}

/** buildManifests reads the CRDs and policies the server would load and returns the manifests for them. */
export async function buildManifests(sources: { crdPaths: readonly string[]; policyPaths: readonly string[] }, options: ManifestOptions): Promise<{ manifests: GeneratedManifests; unresolved: string[] }> {
  const crds = (await loadCrds(sources.crdPaths)).map((l) => l.crd);
  const policies: JsonObject[] = [];
  for (const target of sources.policyPaths) {
    let files: string[];
    try {
      files = await listYamlFiles(target);
    } catch {
      continue; // a missing policies folder means no policies
    }
    for (const file of files) {
      for (const doc of await readYamlDocuments(file)) {
        if (isJsonObject(doc.value) && doc.value['kind'] === 'AdmissionPolicy') policies.push(doc.value);
      }
    }
  }
  const fromPolicies = rulesForPolicies(policies, crds);
  const crdRules = rulesForCrds(crds);
  const seen = new Set<string>();
  const extra = fromPolicies.rules.filter((r) => {
    const key = JSON.stringify(r);
    if (seen.has(key) || isCovered(r, crdRules)) return false;
    seen.add(key);
    return true;
  });
  const rules = [...crdRules, ...extra];
  return { manifests: generateManifests(crds, rules, options), unresolved: fromPolicies.unresolved };
}

/**
 * wholeCrds returns, for each partial conversion stanza, the CRD it patches
 * with that stanza in place: what client-side `kubectl apply -f` needs
 * (applying a partial CRD that way would remove the group, names and
 * versions the last apply set). Server-set metadata and status are dropped.
 */
export function wholeCrds(partials: readonly KubeManifest[], crds: readonly CustomResourceDefinition[]): KubeManifest[] {
  return partials.map((partial) => {
    const crd = crds.find((c) => c.metadata.name === partial.metadata.name);
    if (!crd) return partial;
    const copy = structuredClone(crd) as unknown as JsonObject;
    delete copy['status'];
    const metadata = copy['metadata'] as JsonObject;
    for (const field of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']) delete metadata[field];
    (copy['spec'] as JsonObject)['conversion'] = (partial['spec'] as JsonObject)['conversion'] as JsonObject;
    return copy as unknown as KubeManifest;
  });
}

/** toYamlDocuments renders manifests as a `---`-separated YAML stream. */
export function toYamlDocuments(manifests: GeneratedManifests): string {
  return [manifests.validating, manifests.mutating, ...manifests.conversions].map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** runManifests prints the generated manifests on stdout. */
export async function runManifests(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values } = parseFlags(argv, {
    ...SOURCE_FLAGS,
    ...MANIFEST_FLAGS,
    patches: { type: 'boolean' },
    'out-dir': { type: 'string' },
  });
  const options = await manifestOptionsFrom(values);
  const sources = await resolveSources(values);
  const { manifests, unresolved } = await buildManifests(sources, options);
  for (const item of unresolved) io.stderr(`portcullis manifests: warning: no CRD names ${item}; list its resources in the policy\n`);
  const outDir = values['out-dir'];
  if (outDir === undefined) {
    const crds = (await loadCrds(sources.crdPaths)).map((l) => l.crd);
    io.stdout(toYamlDocuments(values.patches === true ? manifests : { ...manifests, conversions: wholeCrds(manifests.conversions, crds) }));
    return 0;
  }
  await mkdir(outDir, { recursive: true });
  const header = (what: string) => `# Generated by \`portcullis manifests\` from the CRDs and policies the server loads: do not edit.\n# ${what}\n# Regenerate: portcullis manifests --out-dir ${outDir} (a unit test fails when manifests/webhooks drifts).\n`;
  const render = (objects: object[]) => objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  await writeFile(path.join(outDir, 'webhook-configurations.yaml'), header('The admission webhook configurations.') + render([manifests.validating, manifests.mutating]));
  await writeFile(path.join(outDir, 'crd-conversion.yaml'), header('Conversion stanzas, applied as a kustomize patch on the CRDs with more than one version.') + render(manifests.conversions));
  io.stderr(`wrote ${path.join(outDir, 'webhook-configurations.yaml')} and ${path.join(outDir, 'crd-conversion.yaml')}\n`);
  return 0;
}
