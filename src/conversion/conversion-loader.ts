import path from 'node:path';
import { stat } from 'node:fs/promises';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import type { CustomResourceDefinition } from '../schema/crd.js';
import { LoadError } from '../kube/load-error.js';
import { listYamlFiles, readYamlDocuments } from '../kube/yaml-documents.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import { codeSpokeConverter, importCodeConverter, resolveModulePath } from './code-converter.js';
import { createConverterRegistry } from './converter-registry.js';
import type { ConverterRegistry } from './converter-registry.js';
import type { ExpressionEngine } from './expressions.js';
import { createKindConverter } from './kind-converter.js';
import type { KindConverter, SpokeConverter } from './kind-converter.js';
import { compileRule, createMapping, mappingInputs } from './mapping.js';
import { errorMessage } from '../kube/errors.js';

/** CONVERSION_API_VERSION is the apiVersion of Conversion documents. */
export const CONVERSION_API_VERSION = 'portcullis.dev/v1alpha1';

/** LoadConversionsOptions configures loadConversions. */
export interface LoadConversionsOptions {
  /** policyPaths are the configured policy files or folders; every `kind: Conversion` document below them is read. */
  policyPaths: readonly string[];
  /** crds are the loaded CRDs: the hub defaults to a kind's storage version, and every CRD version must be covered. */
  crds: readonly CustomResourceDefinition[];
  /** engine compiles the CEL expressions of the rules. */
  engine: ExpressionEngine;
}

/**
 * loadConversions reads every Conversion document (apiVersion
 * portcullis.dev/v1alpha1) under the policy paths, compiles its rules and
 * imports its code modules, and returns the registry. Other documents are
 * ignored. Anything wrong throws LoadError naming the file, document and
 * field; the caller keeps its last good configuration.
 */
export async function loadConversions(options: LoadConversionsOptions): Promise<ConverterRegistry> {
  const converters: KindConverter[] = [];
  const seen = new Map<string, string>();
  for (const target of options.policyPaths) {
    let files: string[];
    let root: string;
    try {
      files = await listYamlFiles(target);
      root = (await stat(target)).isDirectory() ? target : path.dirname(target);
    } catch (err) {
      throw new LoadError({ file: target, message: `cannot read policies: ${errorMessage(err)}`, cause: err });
    }
    for (const file of files) {
      for (const doc of await readYamlDocuments(file)) {
        if (!isJsonObject(doc.value) || doc.value['kind'] !== 'Conversion') continue;
        const converter = await loadConversionDocument(doc, { root, crds: options.crds, engine: options.engine });
        const key = `${converter.group}/${converter.kind}`;
        const previous = seen.get(key);
        if (previous !== undefined) throw new LoadError({ file: doc.file, documentIndex: doc.index, field: 'spec.kind', message: `${key} already has a Conversion in ${previous}` });
        seen.set(key, doc.file);
        converters.push(converter);
      }
    }
  }
  return createConverterRegistry(converters);
}

/**
 * loadConversionDocument checks one Conversion document and builds its
 * converter. `root` is the policies folder the document was found in: code
 * modules must live inside it.
 */
export async function loadConversionDocument(
  doc: YamlDocument,
  context: { root: string; crds: readonly CustomResourceDefinition[]; engine: ExpressionEngine },
): Promise<KindConverter> {
  const fail = (field: string, message: string, cause?: unknown): never => {
    throw new LoadError({ file: doc.file, documentIndex: doc.index, field, message, cause });
  };
  const value = doc.value as JsonObject;
  if (value['apiVersion'] !== CONVERSION_API_VERSION) fail('apiVersion', `must be ${CONVERSION_API_VERSION}, got ${JSON.stringify(value['apiVersion'])}`);
  const spec = value['spec'];
  if (!isJsonObject(spec)) return fail('spec', 'must be an object');
  const group = nonEmptyString(spec['group']) ?? fail('spec.group', 'must be a non-empty string');
  const kind = nonEmptyString(spec['kind']) ?? fail('spec.kind', 'must be a non-empty string');
  const crd = context.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
  const storage = crd?.spec.versions.find((v) => v.storage)?.name;
  let hub: string;
  if (spec['hubVersion'] === undefined) hub = storage ?? fail('spec.hubVersion', `is required: no loaded CRD defines ${group}/${kind}, so there is no storage version to default to`);
  else hub = nonEmptyString(spec['hubVersion']) ?? fail('spec.hubVersion', 'must be a non-empty string');
  const versions = spec['versions'];
  if (!Array.isArray(versions) || versions.length === 0) return fail('spec.versions', 'must list every non-hub version');
  const spokes: Record<string, SpokeConverter> = {};
  for (const [i, entry] of versions.entries()) {
    const at = `spec.versions[${i}]`;
    if (!isJsonObject(entry)) return fail(at, 'must be an object');
    const name = nonEmptyString(entry['name']) ?? fail(`${at}.name`, 'must be a non-empty string');
    if (name === hub) fail(`${at}.name`, `${name} is the hub version: only other versions are listed`);
    if (Object.prototype.hasOwnProperty.call(spokes, name)) fail(`${at}.name`, `${name} is listed twice`);
    const spoke = entry['module'] !== undefined
      ? await loadModuleSpoke(entry, at, { doc, root: context.root, group, kind, hub, name, fail })
      : rulesSpoke(entry, at, context.engine, fail);
    Object.defineProperty(spokes, name, { value: spoke, enumerable: true, writable: true, configurable: true });
  }
  if (crd) {
    const known = crd.spec.versions.map((v) => v.name);
    const covered = [hub, ...Object.keys(spokes)];
    for (const version of covered) if (!known.includes(version)) fail('spec.versions', `${version} is not a version of the CRD ${crd.metadata.name} (it has ${known.join(', ')})`);
    for (const version of known) if (!covered.includes(version)) fail('spec.versions', `CRD version ${version} has no mapping (use empty toHub/fromHub lists when its fields are the hub's)`);
  }
  return createKindConverter({ group, kind, hub, spokes });
}

function rulesSpoke(entry: JsonObject, at: string, engine: ExpressionEngine, fail: (field: string, message: string, cause?: unknown) => never): SpokeConverter {
  for (const key of Object.keys(entry)) if (!['name', 'toHub', 'fromHub'].includes(key)) fail(`${at}.${key}`, 'is not a field of a version (name, toHub, fromHub, or name and module)');
  const compileList = (key: 'toHub' | 'fromHub') => {
    const list: JsonValue = entry[key] ?? [];
    if (!Array.isArray(list)) return fail(`${at}.${key}`, 'must be a list of rules');
    return list.map((raw, j) => {
      try {
        return compileRule(raw, engine);
      } catch (err) {
        return fail(`${at}.${key}[${j}]`, errorMessage(err), err);
      }
    });
  };
  const toHub = compileList('toHub');
  const fromHub = compileList('fromHub');
  return {
    toHub: createMapping(toHub, engine),
    fromHub: createMapping(fromHub, engine),
    inputs: { toHub: mappingInputs(toHub), fromHub: mappingInputs(fromHub) },
  };
}

async function loadModuleSpoke(
  entry: JsonObject,
  at: string,
  ctx: { doc: YamlDocument; root: string; group: string; kind: string; hub: string; name: string; fail: (field: string, message: string, cause?: unknown) => never },
): Promise<SpokeConverter> {
  for (const key of Object.keys(entry)) if (key !== 'name' && key !== 'module') ctx.fail(`${at}.${key}`, 'is not allowed beside module');
  const declared = nonEmptyString(entry['module']) ?? ctx.fail(`${at}.module`, 'must be a path relative to this document');
  const resolved = await resolveModulePath({ root: ctx.root, documentFile: ctx.doc.file, declared });
  if (typeof resolved !== 'string') return ctx.fail(`${at}.module`, `${JSON.stringify(declared)} ${resolved.problem}`);
  try {
    const module = await importCodeConverter(resolved);
    return codeSpokeConverter(module, { group: ctx.group, kind: ctx.kind, hubVersion: ctx.hub, version: ctx.name });
  } catch (err) {
    return ctx.fail(`${at}.module`, `${JSON.stringify(declared)}: ${errorMessage(err)}`, err);
  }
}

function nonEmptyString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
