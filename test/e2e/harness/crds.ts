/**
 * Installing CustomResourceDefinitions into the e2e cluster.
 *
 * By default the cluster gets an *open* copy of each CRD: every version's schema is replaced by
 * `{type: object, x-kubernetes-preserve-unknown-fields: true}`. The apiserver then neither
 * defaults nor validates, so whatever defaulting or denial a scenario observes was done by
 * Portcullis (which loads the full CRDs from disk). Pass `schemas: 'as-is'` to install them
 * unchanged. A CRD whose conversion strategy is Webhook gets its clientConfig pointed at the
 * server under test.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Kubectl } from './kubectl.js';
import { mustSucceed } from './kubectl.js';
import { conversionWebhookStanza } from './webhook-config.js';

/** Crd is the part of a CustomResourceDefinition the harness reads. */
export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    names: { plural: string; kind: string };
    scope: 'Namespaced' | 'Cluster';
    versions: Array<{ name: string; schema?: { openAPIV3Schema?: unknown } } & Record<string, unknown>>;
    conversion?: { strategy?: string } & Record<string, unknown>;
  } & Record<string, unknown>;
}

function yamlFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/** loadCrds reads every CustomResourceDefinition in a file or folder (multi-document YAML). */
export function loadCrds(path: string): Crd[] {
  const crds: Crd[] = [];
  for (const file of yamlFiles(path)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const value = doc.toJSON() as Crd | null;
      if (value && value.kind === 'CustomResourceDefinition') crds.push(value);
    }
  }
  return crds;
}

/** InstallOptions configures installCrds. */
export interface InstallOptions {
  /** schemas: 'open' (default) strips validation and defaults from the cluster copy; 'as-is' keeps them. */
  schemas?: 'open' | 'as-is';
  /** conversion points Webhook-strategy CRDs at `<baseUrl>/convert` with this CA. */
  conversion?: { baseUrl: string; caBundle: string };
}

/** clusterCopy returns the CRD as the harness installs it (see InstallOptions). */
export function clusterCopy(crd: Crd, options: InstallOptions = {}): Crd {
  const copy = structuredClone(crd);
  if ((options.schemas ?? 'open') === 'open') {
    for (const version of copy.spec.versions) {
      version.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
      // Printer columns and selectable fields may name paths an open schema does not declare.
      delete version.additionalPrinterColumns;
      delete version.selectableFields;
    }
  }
  if (copy.spec.conversion?.strategy === 'Webhook') {
    if (options.conversion === undefined) copy.spec.conversion = { strategy: 'None' };
    else copy.spec.conversion = conversionWebhookStanza(options.conversion.baseUrl, options.conversion.caBundle) as Crd['spec']['conversion'];
  }
  return copy;
}

/** installCrds applies the CRDs and waits until each is Established. */
export async function installCrds(kubectl: Kubectl, crds: Crd[], options: InstallOptions = {}): Promise<void> {
  if (crds.length === 0) return;
  const list = { apiVersion: 'v1', kind: 'List', items: crds.map((c) => clusterCopy(c, options)) };
  mustSucceed(await kubectl(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: list }), 'apply CRDs');
  const names = crds.map((c) => `crd/${c.metadata.name}`);
  // kubectl wait gives up at once ("accessor error: <nil> is of the type <nil>") when it reads a CRD before
  // the apiserver has written any condition; that is "not yet", so ask again, a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    const result = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
    if (result.code !== 0 && attempt < 40 && /status\.conditions accessor error/.test(result.stderr)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    mustSucceed(result, 'wait for CRDs');
    return;
  }
}

/** rulesFor returns webhook rules that send CREATE, UPDATE and DELETE of these CRDs' resources. */
export function rulesFor(crds: Crd[]): Array<{
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: Array<'CREATE' | 'UPDATE' | 'DELETE'>;
}> {
  return crds.map((c) => ({
    apiGroups: [c.spec.group],
    apiVersions: ['*'],
    resources: [c.spec.names.plural],
    operations: ['CREATE', 'UPDATE', 'DELETE'],
  }));
}
