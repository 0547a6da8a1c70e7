import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversions } from '../conversion/conversion-loader.js';
import type { ConverterRegistry } from '../conversion/converter-registry.js';
import { createCelEnvironment } from '../cel/environment.js';
import { isJsonObject } from '../kube/types.js';
import { compilePolicyDocuments, FOREIGN_FOLDERS } from '../policy/loader.js';
import { POLICY_KIND } from '../policy/types.js';
import { loadCrds } from '../schema/crd-loader.js';
import { LoadError } from '../kube/load-error.js';
import { listYamlFiles, readYamlDocuments } from '../kube/yaml-documents.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import { loadRuntimeConfig } from '../server/admission-runtime.js';
import type { RuntimeConfig, RuntimeSources } from '../server/admission-runtime.js';
import { InputError, UsageError } from './args.js';
import { PortcullisError } from '../kube/errors.js';

/**
 * What the offline commands (test, review, manifests) load, and how they
 * say what went wrong: the same CRDs, policies and conversions `serve`
 * loads, from the same flags with the same defaults, with errors in the
 * project's words naming the file.
 */

/** DEFAULT_CRDS is --crds when not given, relative to the current folder. */
export const DEFAULT_CRDS = 'manifests/crds';
/** DEFAULT_POLICIES is --policies when not given, relative to the current folder. */
export const DEFAULT_POLICIES = 'policies';

/** SOURCE_FLAGS are the flags naming what to load, shared by serve, test, review and manifests. */
export const SOURCE_FLAGS = {
  crds: { type: 'string', multiple: true },
  policies: { type: 'string', multiple: true },
} as const;

/** SOURCE_USAGE documents SOURCE_FLAGS for --help. */
export const SOURCE_USAGE = `  --crds PATH        CRD YAML file or folder, repeatable (default: manifests/crds
                     in the current folder)
  --policies PATH    policy file or folder, repeatable; its Conversion documents
                     are loaded too (default: policies in the current folder)
`;

/** LoadErrors reports every problem found in a configuration at once; its message has one line per problem. */
export class LoadErrors extends PortcullisError {
  readonly errors: readonly Error[];
  constructor(errors: readonly Error[]) {
    super('PCL_ERR_LOAD', errors.length === 1 ? (errors[0] as Error).message : `${errors.length} problems:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.errors = errors;
  }
}

async function kindOf(target: string): Promise<'file' | 'folder' | undefined> {
  try {
    const info = await stat(target);
    return info.isDirectory() ? 'folder' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * requirePaths throws a UsageError for the first path that doesn't exist;
 * when the path is a default (`given` false) the message says it is
 * relative to the current folder.
 */
export async function requirePaths(flag: string, paths: readonly string[], given: boolean): Promise<void> {
  for (const target of paths) {
    if ((await kindOf(target)) !== undefined) continue;
    if (given) throw new InputError(`${flag} ${target}: no such file or folder`);
    throw new UsageError(`${flag} defaults to ${target} in the current folder (${process.cwd()}), which has none: run from the project folder or pass ${flag} PATH`);
  }
}

/**
 * resolveSources applies the defaults and checks that every path exists.
 * A missing default folder says it is relative to the current folder; an
 * explicit --crds path that holds no CRD is an error (no schema would be
 * enforced without anyone noticing).
 */
export async function resolveSources(values: { crds?: string[]; policies?: string[] }): Promise<RuntimeSources> {
  const crdPaths = values.crds ?? [DEFAULT_CRDS];
  const policyPaths = values.policies ?? [DEFAULT_POLICIES];
  await requirePaths('--crds', crdPaths, values.crds !== undefined);
  await requirePaths('--policies', policyPaths, values.policies !== undefined);
  if (values.crds !== undefined) {
    for (const target of values.crds) {
      if ((await loadCrds([target])).length === 0) throw new InputError(`--crds ${target}: holds no CustomResourceDefinition (apiextensions.k8s.io/v1)`);
    }
  }
  return { crdPaths, policyPaths };
}

/** OfflineConfig is what serve would run with: the admission configuration and the converters. */
export interface OfflineConfig {
  config: RuntimeConfig;
  conversions: ConverterRegistry;
}

/** loadedSummary is the line the offline commands print on stderr: `loaded N policies, M CRDs, K conversions`. */
export function loadedSummary(loaded: OfflineConfig): string {
  return `loaded ${loaded.config.policies.policies.length} policies, ${loaded.config.crds.crds.length} CRDs, ${loaded.conversions.converters.length} conversions`;
}

function isForeign(root: string, file: string): boolean {
  return path.relative(root, file).split(path.sep).slice(0, -1).some((segment) => FOREIGN_FOLDERS.has(segment));
}

/**
 * policyProblems re-reads the policy paths file by file and document by
 * document and returns every problem, not only the first the loader stops
 * at: YAML errors, schema errors, bad CEL, duplicate names.
 */
export async function policyProblems(paths: readonly string[]): Promise<Error[]> {
  const problems: Error[] = [];
  const cel = createCelEnvironment();
  const names = new Map<string, YamlDocument>();
  for (const root of paths) {
    for (const file of await listYamlFiles(root)) {
      if (isForeign(root, file)) continue;
      let documents: YamlDocument[];
      try {
        documents = await readYamlDocuments(file);
      } catch (err) {
        problems.push(err as Error);
        continue;
      }
      for (const doc of documents) {
        try {
          compilePolicyDocuments([doc], { cel });
        } catch (err) {
          problems.push(err as Error);
        }
        const name = isJsonObject(doc.value) && doc.value['kind'] === POLICY_KIND && isJsonObject(doc.value['metadata']) ? doc.value['metadata']['name'] : undefined;
        if (typeof name !== 'string') continue;
        const previous = names.get(name);
        if (previous) {
          problems.push(new LoadError({ file: doc.file, documentIndex: doc.index, field: 'metadata.name', message: `duplicate policy name ${JSON.stringify(name)} (first in ${previous.file}, document ${previous.index})` }));
        } else names.set(name, doc);
      }
    }
  }
  return problems;
}

/**
 * loadOfflineConfig loads CRDs, policies and conversions as serve does. When
 * the policies don't load, every policy problem is reported (LoadErrors).
 */
export async function loadOfflineConfig(sources: RuntimeSources): Promise<OfflineConfig> {
  const crds = await loadCrds(sources.crdPaths);
  let config: RuntimeConfig;
  try {
    config = await loadRuntimeConfig(sources);
  } catch (err) {
    const isPolicyError = err instanceof LoadError && !crds.some((c) => c.file === err.file);
    const problems = isPolicyError ? await policyProblems(sources.policyPaths).catch(() => []) : [];
    throw problems.length > 1 ? new LoadErrors(problems) : err;
  }
  const conversions = await loadConversions({ policyPaths: sources.policyPaths, crds: config.crds.crds, engine: createCelExpressionEngine() });
  return { config, conversions };
}
