import path from 'node:path';
import type { CelEnvironment } from '../cel/environment.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { LoadError } from '../kube/load-error.js';
import { listYamlFiles, readYamlDocuments } from '../kube/yaml-documents.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import { PolicyCompileError } from './compile-error.js';
import { compilePolicy } from './compile-policy.js';
import type { CompiledPolicy } from './compile-policy.js';
import { asPolicyDocument, checkPolicyDocument } from './policy-document.js';
import { POLICY_KIND, POLICY_TEST_KIND } from './types.js';
import { errorMessage } from '../kube/errors.js';

/** FOREIGN_KINDS are document kinds other components read from the same folders; the policy loader skips them. */
export const FOREIGN_KINDS: ReadonlySet<string> = new Set(['Conversion', 'ControllerBinding']);
/** FOREIGN_FOLDERS are sub-folders of a policy folder that belong to other components. */
export const FOREIGN_FOLDERS: ReadonlySet<string> = new Set(['conversions', 'bindings']);

/** LoadedPolicies is the result of loading policy folders. */
export interface LoadedPolicies {
  policies: CompiledPolicy[];
  /** testSuites are the documents of kind PolicyTest, left to `portcullis test`. */
  testSuites: YamlDocument[];
  /** files are every YAML file read (for reload watching and logs). */
  files: string[];
}

/** LoadPolicyOptions configures loadPolicies. */
export interface LoadPolicyOptions {
  cel: CelEnvironment;
}

function isForeignFile(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative.split(path.sep).slice(0, -1).some((segment) => FOREIGN_FOLDERS.has(segment));
}

/** documentsUnder reads every YAML document under the given paths, skipping other components' folders. */
export async function documentsUnder(paths: readonly string[]): Promise<{ documents: YamlDocument[]; files: string[] }> {
  const documents: YamlDocument[] = [];
  const files: string[] = [];
  for (const root of paths) {
    let listed: string[];
    try {
      listed = await listYamlFiles(root);
    } catch (err) {
      throw new LoadError({ file: root, message: `cannot read: ${errorMessage(err)}`, cause: err });
    }
    for (const file of listed) {
      if (isForeignFile(root, file)) continue;
      files.push(file);
      documents.push(...(await readYamlDocuments(file)));
    }
  }
  return { documents, files };
}

/**
 * compilePolicyDocuments checks and compiles AdmissionPolicy documents:
 * PolicyTest documents are set aside, Conversion and ControllerBinding ones
 * skipped, any other kind is an error. The first problem throws a LoadError
 * naming the file, the document index and the field; duplicate policy names
 * are errors too.
 */
export function compilePolicyDocuments(documents: readonly YamlDocument[], options: LoadPolicyOptions): { policies: CompiledPolicy[]; testSuites: YamlDocument[] } {
  const policies: CompiledPolicy[] = [];
  const testSuites: YamlDocument[] = [];
  const seen = new Map<string, YamlDocument>();
  for (const doc of documents) {
    const fail = (field: string, message: string, cause?: unknown): never => {
      throw new LoadError({ file: doc.file, documentIndex: doc.index, field, message, cause });
    };
    if (!isJsonObject(doc.value)) fail('', 'document must be a mapping with apiVersion and kind');
    const kind = (doc.value as JsonObject)['kind'] as JsonValue;
    if (typeof kind === 'string' && FOREIGN_KINDS.has(kind)) continue;
    if (kind === POLICY_TEST_KIND) {
      testSuites.push(doc);
      continue;
    }
    if (kind !== POLICY_KIND) fail('kind', `unknown kind ${JSON.stringify(kind)}: expected ${POLICY_KIND} or ${POLICY_TEST_KIND}`);
    const problem = checkPolicyDocument(doc.value);
    if (problem) fail(problem.field, problem.message);
    const policy = asPolicyDocument(doc.value);
    const previous = seen.get(policy.metadata.name);
    if (previous) fail('metadata.name', `duplicate policy name ${JSON.stringify(policy.metadata.name)} (first in ${previous.file}, document ${previous.index})`);
    seen.set(policy.metadata.name, doc);
    try {
      policies.push(compilePolicy(policy, { cel: options.cel, order: policies.length }));
    } catch (err) {
      if (err instanceof PolicyCompileError) fail(err.field, err.message, err);
      throw err;
    }
  }
  return { policies, testSuites };
}

/** loadPolicies reads and compiles every policy under the given files or folders. */
export async function loadPolicies(paths: readonly string[], options: LoadPolicyOptions): Promise<LoadedPolicies> {
  const { documents, files } = await documentsUnder(paths);
  return { ...compilePolicyDocuments(documents, options), files };
}
