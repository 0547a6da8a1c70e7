import type { GroupVersionKind, JsonObject, JsonValue, UserInfo } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { LoadError } from '../kube/load-error.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import type { PolicyRequest } from './outcome.js';
import { checkTestDocument } from './test-suite-schema.js';

/** CaseExpectation is what a test case expects of the admission response. Omitted fields are not checked. */
export interface CaseExpectation {
  allowed: boolean;
  code?: number;
  reason?: string;
  /** message is an RE2 pattern the status message must contain a match of. */
  message?: string;
  /** warnings is the exact list of warnings, in order. */
  warnings?: string[];
  /** auditAnnotations is the exact map of audit annotations. */
  auditAnnotations?: Record<string, string>;
  /** patch is the exact list of JSON Patch operations ([] for none). */
  patch?: JsonValue[];
  /** object is the exact object after the patch. */
  object?: JsonObject;
  /** matched is the exact set of policies that must match the request. */
  matched?: string[];
  /** decisions maps `policy/rule` (or `policy/mutation`) to what it must decide. */
  decisions?: Record<string, string>;
}

/** PolicyTestCase is one case, with its request built and its origin for messages. */
export interface PolicyTestCase {
  suite: string;
  name: string;
  file: string;
  documentIndex: number;
  endpoint: 'mutate' | 'validate';
  request: PolicyRequest & { uid: string; operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' };
  expect: CaseExpectation;
}

/** PolicyTestSuite is one PolicyTest document: its cases and what it says about itself. */
export interface PolicyTestSuite {
  name: string;
  file: string;
  documentIndex: number;
  /** policies are the policies the suite tests: each must be loaded, or the suite fails. */
  policies: string[];
  /** failOnSkip makes a case that no schema or policy touched a failure instead of a skip. */
  failOnSkip: boolean;
  cases: PolicyTestCase[];
}

/** ResourceResolver names the plural resource of a kind (from the loaded CRDs). */
export type ResourceResolver = (gvk: GroupVersionKind) => string | undefined;

function gvkOf(object: JsonObject | null, fail: (field: string, message: string) => never): GroupVersionKind {
  const apiVersion = object?.['apiVersion'];
  const kind = object?.['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') fail('object', 'object (or oldObject) needs apiVersion and kind');
  const [group, version] = (apiVersion as string).includes('/') ? (apiVersion as string).split('/', 2) : ['', apiVersion as string];
  return { group: group as string, version: version as string, kind: kind as string };
}

/**
 * buildObjectRequest builds the admission request the apiserver would send
 * for plain objects: `raw` holds `object`/`oldObject` and the shortcuts of a
 * test case (`operation`, `user`, `groups`, `userInfo`, `namespace`,
 * `subResource`, `dryRun`, `kind`), or a whole `review`. `review -f` builds
 * its requests with it too. Problems go to `fail` (field, message).
 */
export function buildObjectRequest(raw: JsonObject, uid: string, resolve: ResourceResolver, fail: (field: string, message: string) => never): PolicyTestCase['request'] {
  if (isJsonObject(raw['review'] as JsonValue)) {
    const review = raw['review'] as JsonObject;
    const request = (isJsonObject(review['request'] as JsonValue) ? review['request'] : review) as unknown as PolicyTestCase['request'];
    return { ...request, uid: request.uid ?? uid, object: request.object ?? null, oldObject: request.oldObject ?? null };
  }
  const object = isJsonObject(raw['object'] as JsonValue) ? (raw['object'] as JsonObject) : null;
  const oldObject = isJsonObject(raw['oldObject'] as JsonValue) ? (raw['oldObject'] as JsonObject) : null;
  if (object === null && oldObject === null) fail('', 'a case needs review, object or oldObject');
  const operation = (raw['operation'] as PolicyTestCase['request']['operation'] | undefined) ?? (object && oldObject ? 'UPDATE' : object ? 'CREATE' : 'DELETE');
  const subject = object ?? oldObject;
  const kind = isJsonObject(raw['kind'] as JsonValue) ? (raw['kind'] as unknown as GroupVersionKind) : gvkOf(subject, fail);
  const metadata = isJsonObject(subject?.['metadata'] as JsonValue) ? (subject?.['metadata'] as JsonObject) : {};
  const namespace = typeof raw['namespace'] === 'string' ? raw['namespace'] : typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
  const userInfo: UserInfo = isJsonObject(raw['userInfo'] as JsonValue)
    ? (raw['userInfo'] as unknown as UserInfo)
    : { username: typeof raw['user'] === 'string' ? raw['user'] : 'test-user', groups: Array.isArray(raw['groups']) ? (raw['groups'] as string[]) : ['system:authenticated'] };
  const request: PolicyTestCase['request'] = {
    uid,
    kind,
    resource: { group: kind.group, version: kind.version, resource: resolve(kind) ?? `${kind.kind.toLowerCase()}s` },
    operation,
    userInfo,
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'CREATE' ? null : oldObject,
    dryRun: raw['dryRun'] === true,
  };
  if (typeof metadata['name'] === 'string') request.name = metadata['name'];
  if (namespace !== undefined) request.namespace = namespace;
  if (typeof raw['subResource'] === 'string') request.subResource = raw['subResource'];
  return request;
}

/**
 * parsePolicyTestSuite reads one PolicyTest document into its cases. A case
 * is a full AdmissionReview (`review`) or a bare `object`/`oldObject` with
 * `operation`, `user`/`groups` (or `userInfo`), `namespace`, `subResource`
 * and `dryRun` shortcuts; the operation defaults from which objects are
 * given. Problems throw LoadError naming file, document and field.
 */
export function parsePolicyTestSuite(doc: YamlDocument, resolve: ResourceResolver): PolicyTestCase[] {
  return readPolicyTestSuite(doc, resolve).cases;
}

/** readPolicyTestSuite is parsePolicyTestSuite returning the whole suite: its cases, `spec.policies` and `spec.failOnSkip`. */
export function readPolicyTestSuite(doc: YamlDocument, resolve: ResourceResolver): PolicyTestSuite {
  const problem = checkTestDocument(doc.value);
  if (problem) throw new LoadError({ file: doc.file, documentIndex: doc.index, field: problem.field, message: problem.message });
  const suite = doc.value as JsonObject;
  const suiteName = ((suite['metadata'] as JsonObject)['name'] as string) ?? '';
  const spec = suite['spec'] as JsonObject;
  const cases = (spec['cases'] as JsonObject[]) ?? [];
  const parsed = cases.map((raw, i): PolicyTestCase => {
    const fail = (field: string, message: string): never => {
      throw new LoadError({ file: doc.file, documentIndex: doc.index, field: `spec.cases[${i}]${field ? `.${field}` : ''}`, message });
    };
    return {
      suite: suiteName,
      name: raw['name'] as string,
      file: doc.file,
      documentIndex: doc.index,
      endpoint: (raw['endpoint'] as 'mutate' | 'validate' | undefined) ?? 'mutate',
      request: buildObjectRequest(raw, `${suiteName}-${i}`, resolve, fail),
      expect: raw['expect'] as unknown as CaseExpectation,
    };
  });
  return {
    name: suiteName,
    file: doc.file,
    documentIndex: doc.index,
    policies: (spec['policies'] as string[] | undefined) ?? [],
    failOnSkip: spec['failOnSkip'] === true,
    cases: parsed,
  };
}
