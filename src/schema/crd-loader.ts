import { isJsonObject } from '../kube/types.js';
import type { CustomResourceDefinition } from './crd.js';
import { describeCrdProblems, validateCrdDefinition } from './crd-definition-validation.js';
import { LoadError } from '../kube/load-error.js';
import { listYamlFiles, readYamlDocuments } from '../kube/yaml-documents.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import { errorMessage } from '../kube/errors.js';

/** LoadedCrd is a CRD with the file and document it came from. */
export interface LoadedCrd {
  crd: CustomResourceDefinition;
  file: string;
  index: number;
}

/**
 * loadCrds reads every CustomResourceDefinition (apiextensions.k8s.io/v1)
 * from the given files or folders. Documents of other kinds are ignored, so a
 * folder may mix CRDs with other manifests; a malformed CRD throws LoadError.
 */
export async function loadCrds(paths: readonly string[]): Promise<LoadedCrd[]> {
  const out: LoadedCrd[] = [];
  for (const target of paths) {
    let files: string[];
    try {
      files = await listYamlFiles(target);
    } catch (err) {
      throw new LoadError({ file: target, message: `cannot read CRDs: ${errorMessage(err)}`, cause: err });
    }
    for (const file of files) {
      for (const doc of await readYamlDocuments(file)) {
        const crd = asCrd(doc);
        if (crd) out.push({ crd, file: doc.file, index: doc.index });
      }
    }
  }
  return out;
}

/** asCrd checks one YAML document; returns null for documents that are not CRDs. */
export function asCrd(doc: YamlDocument): CustomResourceDefinition | null {
  const value = doc.value;
  if (!isJsonObject(value) || value['kind'] !== 'CustomResourceDefinition') return null;
  const fail = (field: string, message: string): never => {
    throw new LoadError({ file: doc.file, documentIndex: doc.index, field, message });
  };
  if (value['apiVersion'] !== 'apiextensions.k8s.io/v1') fail('apiVersion', `must be apiextensions.k8s.io/v1, got ${JSON.stringify(value['apiVersion'])}`);
  const spec = value['spec'];
  if (!isJsonObject(spec)) return fail('spec', 'must be an object');
  if (typeof spec['group'] !== 'string' || spec['group'] === '') fail('spec.group', 'must be a non-empty string');
  const names = spec['names'];
  if (!isJsonObject(names) || typeof names['kind'] !== 'string' || typeof names['plural'] !== 'string') fail('spec.names', 'must have kind and plural');
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') fail('spec.scope', 'must be Namespaced or Cluster');
  const versions = spec['versions'];
  if (!Array.isArray(versions) || versions.length === 0) return fail('spec.versions', 'must list at least one version');
  versions.forEach((version, i) => {
    if (!isJsonObject(version) || typeof version['name'] !== 'string') fail(`spec.versions[${i}].name`, 'must be a string');
    const schema = isJsonObject(version) ? version['schema'] : undefined;
    if (schema !== undefined && (!isJsonObject(schema) || !isJsonObject(schema['openAPIV3Schema']))) {
      fail(`spec.versions[${i}].schema.openAPIV3Schema`, 'must be an object');
    }
  });
  const problems = validateCrdDefinition(value);
  if (problems.length > 0) fail('', describeCrdProblems(problems));
  return value as unknown as CustomResourceDefinition;
}
