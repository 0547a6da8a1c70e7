import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { parseAdmissionReview } from '../admission/parse-review.js';
import { intoReview } from '../admission/response.js';
import type { AdmissionRequest, AdmissionReviewResponse } from '../admission/review.js';
import type { AdmissionChain } from '../admission/stage.js';
import { createAdmissionChain } from '../admission/chain.js';
import { createCelEnvironment } from '../cel/environment.js';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversionDocument } from '../conversion/conversion-loader.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { createConverterRegistry } from '../conversion/converter-registry.js';
import type { KindConverter } from '../conversion/kind-converter.js';
import { parseConversionReview } from '../conversion/parse-review.js';
import { intoConversionReview } from '../conversion/response.js';
import type { ConversionReviewResponse } from '../conversion/review.js';
import { LoadError } from '../kube/load-error.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { parseYamlDocuments } from '../kube/yaml-documents.js';
import type { YamlDocument } from '../kube/yaml-documents.js';
import { compilePolicyDocuments } from '../policy/loader.js';
import { createPolicyEngine } from '../policy/policy-engine.js';
import { parsePolicyTestSuite } from '../policy/test-suite.js';
import { asCrd } from '../schema/crd-loader.js';
import { createCrdRegistry } from '../schema/crd-registry.js';
import type { CrdRegistry } from '../schema/crd-registry.js';
import { createKubernetesExtensions } from '../schema/kubernetes-extensions.js';
import { locateProblem } from './locate.js';
import type { Diagnostic, EditorName } from './locate.js';

/** PLAYGROUND_FILES names the pseudo-files the editors stand for, as they appear in messages. */
export const PLAYGROUND_FILES: Readonly<Record<EditorName, string>> = {
  crds: 'crds.yaml',
  policies: 'policies.yaml',
  object: 'object.yaml',
  oldObject: 'old-object.yaml',
};

/**
 * PlaygroundCase is everything the page edits: the configuration (CRD and
 * policy YAML) and the request. `object` is a plain object, an AdmissionReview
 * or a ConversionReview; the request fields are the shortcuts of a PolicyTest
 * case (docs/policies.md), so a case is also a test case.
 */
export interface PlaygroundCase {
  crds: string;
  policies: string;
  object: string;
  oldObject: string;
  /** operation defaults from which objects are given (CREATE, UPDATE, DELETE). */
  operation: '' | 'CREATE' | 'UPDATE' | 'DELETE';
  endpoint: 'mutate' | 'validate';
  user: string;
  groups: string[];
  namespace: string;
  subResource: string;
  dryRun: boolean;
}

/** AdmissionOutcome is the result of an AdmissionReview through /mutate or /validate. */
export interface AdmissionOutcome {
  kind: 'admission';
  endpoint: 'mutate' | 'validate';
  request: AdmissionRequest;
  /** review is the AdmissionReview the server would answer, byte for byte what `portcullis review` prints. */
  review: AdmissionReviewResponse;
  /** warnings are the configuration's own warnings (e.g. a CRD check Portcullis can't run). */
  loadWarnings: string[];
}

/** ConversionOutcome is the result of a ConversionReview through /convert. */
export interface ConversionOutcome {
  kind: 'conversion';
  review: ConversionReviewResponse;
  loadWarnings: string[];
}

/** ProblemOutcome says why the inputs could not be run, with each problem placed in its editor. */
export interface ProblemOutcome {
  kind: 'problem';
  diagnostics: Diagnostic[];
}

/** PlaygroundOutcome is what one run of the playground gives. */
export type PlaygroundOutcome = AdmissionOutcome | ConversionOutcome | ProblemOutcome;

/** Playground runs cases; it keeps the last compiled configuration, so editing only the object is cheap. */
export interface Playground {
  run(input: PlaygroundCase): Promise<PlaygroundOutcome>;
}

interface CompiledConfig {
  key: string;
  crds: CrdRegistry;
  chain: AdmissionChain;
  conversions: KindConverter[];
}

/**
 * createPlayground returns the engine behind the browser playground: the same
 * loaders, compilers and handlers as `portcullis serve` and `review`, fed from
 * in-memory text instead of files. Code converters (`module:`) need a file
 * system and are refused with a message naming the field.
 */
export function createPlayground(): Playground {
  let cached: CompiledConfig | undefined;
  const compile = async (input: PlaygroundCase): Promise<CompiledConfig> => {
    const key = `${input.crds}\u0000${input.policies}`;
    if (cached?.key === key) return cached;
    const crdDocs = parseYamlDocuments(input.crds, PLAYGROUND_FILES.crds);
    const loadedCrds = crdDocs.flatMap((doc) => {
      const crd = asCrd(doc);
      return crd ? [{ crd, file: doc.file, index: doc.index }] : [];
    });
    const crds = createCrdRegistry(loadedCrds, { extensions: createKubernetesExtensions() });
    const policyDocs = parseYamlDocuments(input.policies, PLAYGROUND_FILES.policies);
    const { policies } = compilePolicyDocuments(policyDocs, { cel: createCelEnvironment() });
    const engine = createPolicyEngine(policies);
    const conversions: KindConverter[] = [];
    const expressions = createCelExpressionEngine();
    for (const doc of policyDocs) {
      if (!isJsonObject(doc.value) || doc.value['kind'] !== 'Conversion') continue;
      refuseModules(doc);
      conversions.push(await loadConversionDocument(doc, { root: '', crds: loadedCrds.map((l) => l.crd), engine: expressions }));
    }
    const chain: AdmissionChain = createAdmissionChain({ crds, policies: engine });
    cached = { key, crds, chain, conversions };
    return cached;
  };

  return {
    async run(input) {
      let config: CompiledConfig;
      try {
        config = await compile(input);
      } catch (err) {
        return problem(input, err);
      }
      try {
        return runRequest(input, config);
      } catch (err) {
        return problem(input, err);
      }
    },
  };
}

function refuseModules(doc: YamlDocument): void {
  const versions = isJsonObject(doc.value) && isJsonObject(doc.value['spec']) ? doc.value['spec']['versions'] : undefined;
  if (!Array.isArray(versions)) return;
  versions.forEach((entry, i) => {
    if (isJsonObject(entry) && entry['module'] !== undefined) {
      throw new LoadError({ file: doc.file, documentIndex: doc.index, field: `spec.versions[${i}].module`, message: 'code converters need a file system: the playground runs declarative rules only' });
    }
  });
}

function runRequest(input: PlaygroundCase, config: CompiledConfig): AdmissionOutcome | ConversionOutcome {
  const object = singleDocument(input.object, 'object');
  if (object !== null && object['kind'] === 'ConversionReview') {
    const review = parseConversionReview(object);
    const handler = createConversionHandler({ registry: () => createConverterRegistry(config.conversions) });
    return { kind: 'conversion', review: intoConversionReview(review, handler(review.request)), loadWarnings: [] };
  }
  const review =
    object !== null && object['kind'] === 'AdmissionReview'
      ? parseAdmissionReview(object)
      : parseAdmissionReview(reviewFromCase(input, object, singleDocument(input.oldObject, 'oldObject'), config.crds));
  const chain = () => config.chain;
  const handler = input.endpoint === 'validate' ? createValidateHandler({ chain }) : createMutateHandler({ chain });
  return { kind: 'admission', endpoint: input.endpoint, request: review.request, review: intoReview(review, handler(review.request)), loadWarnings: [] };
}

/**
 * reviewFromCase builds the AdmissionReview for a plain object exactly as
 * `portcullis test` builds one for a PolicyTest case with the same fields.
 */
function reviewFromCase(input: PlaygroundCase, object: JsonObject | null, oldObject: JsonObject | null, crds: CrdRegistry): JsonObject {
  const testCase: JsonObject = { name: 'playground', expect: { allowed: true } };
  if (object !== null) testCase['object'] = object;
  if (oldObject !== null) testCase['oldObject'] = oldObject;
  if (input.operation !== '') testCase['operation'] = input.operation;
  if (input.user !== '') testCase['user'] = input.user;
  if (input.groups.length > 0) testCase['groups'] = input.groups;
  if (input.namespace !== '') testCase['namespace'] = input.namespace;
  if (input.subResource !== '') testCase['subResource'] = input.subResource;
  if (input.dryRun) testCase['dryRun'] = true;
  const suite: YamlDocument = {
    file: PLAYGROUND_FILES.object,
    index: 0,
    value: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'PolicyTest', metadata: { name: 'playground' }, spec: { cases: [testCase] } },
  };
  const plural = (group: string, kind: string) => crds.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind)?.spec.names.plural;
  const [built] = parsePolicyTestSuite(suite, (gvk) => plural(gvk.group, gvk.kind));
  if (!built) throw new LoadError({ file: PLAYGROUND_FILES.object, message: 'no request could be built' });
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: built.request as unknown as JsonObject };
}

function singleDocument(text: string, editor: 'object' | 'oldObject'): JsonObject | null {
  const file = PLAYGROUND_FILES[editor];
  const docs = parseYamlDocuments(text, file);
  if (docs.length === 0) return null;
  if (docs.length > 1) throw new LoadError({ file, documentIndex: 1, message: 'holds more than one document: review one object at a time' });
  const value: JsonValue = (docs[0] as YamlDocument).value;
  if (!isJsonObject(value)) throw new LoadError({ file, documentIndex: 0, message: 'must be a mapping (an object, an AdmissionReview or a ConversionReview)' });
  return value;
}

function problem(input: PlaygroundCase, err: unknown): ProblemOutcome {
  return { kind: 'problem', diagnostics: [locateProblem(err, input)] };
}
