import path from 'node:path';
import { diagnosticMessage } from '../schema/crd-diagnostics.js';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import type { AdmissionRequest } from '../admission/review.js';
import { compileRe2, Re2SyntaxError } from '../kube/re2.js';
import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { documentsUnder } from '../policy/loader.js';
import { checkExpectation } from '../policy/test-expect.js';
import type { CaseResult } from '../policy/test-expect.js';
import { readPolicyTestSuite } from '../policy/test-suite.js';
import type { PolicyTestCase, PolicyTestSuite } from '../policy/test-suite.js';
import { POLICY_KIND, POLICY_TEST_KIND } from '../policy/types.js';
import type { RuntimeConfig } from '../server/admission-runtime.js';
import { parseFlags, UsageError } from './args.js';
import { explainRequest, isUntouched } from './explain.js';
import { loadedSummary, loadOfflineConfig, requirePaths, resolveSources, SOURCE_FLAGS, SOURCE_USAGE } from './sources.js';
import { formatTestReport } from './test-report.js';
import type { CaseOutcome, TestReport } from './test-report.js';
import { errorMessage } from '../kube/errors.js';
import { existsSync } from 'node:fs';
import { loadBindings } from '../controller/binding-loader.js';

/** TEST_USAGE documents `portcullis test`. */
export const TEST_USAGE = `Usage: portcullis test [flags] [SUITE_PATH ...]

Run the PolicyTest suites found under SUITE_PATH (files or folders; default:
the --policies paths) through the same handlers as the server, with exactly
what 'portcullis serve' loads: the policies and Conversions of --policies and
the CRDs of --crds. Prints "loaded N policies, M CRDs, K conversions" on
stderr, one line per case (PASS, FAIL with what differs, or SKIP for a case
that no CRD schema and no policy touched) and "N passed, N failed, N skipped".
The ControllerBindings of --bindings are checked as 'portcullis controller'
checks them at start ("checked N bindings in DIR"): one that doesn't compile
fails the run.

Flags:
${SOURCE_USAGE}  --bindings DIR     ControllerBinding folder to check (default: policies/bindings
                     in the current folder, when it exists)
  --run REGEX        run only the cases whose "suite/case" name matches (RE2)
  -o, --output FMT   text (default), json or junit (JUnit XML for CI)
  --fail-on-skip     count skipped cases as failures (a suite can set
                     spec.failOnSkip: true)

Exit status: 0 when every case passes, 1 when any fails or no case ran,
2 when a policy, CRD, conversion, binding or suite can't be loaded, or bad usage.
`;

function decode(response: { patch?: string }): JsonValue[] {
  return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonValue[]) : [];
}

function runCase(config: RuntimeConfig, testCase: PolicyTestCase): { result: CaseResult; untouched: boolean } {
  const chain = () => config.chain;
  const handler = testCase.endpoint === 'validate' ? createValidateHandler({ chain }) : createMutateHandler({ chain });
  const request = testCase.request as AdmissionRequest;
  const response = handler(request);
  const patch = decode(response);
  const object = request.object ? (jsonPatch.applyPatch(deepCopy(request.object), patch as unknown as Operation[], true, false).newDocument as JsonObject) : null;
  const explanation = explainRequest(config, request, testCase.endpoint);
  const decisions: Record<string, string> = {};
  for (const policy of explanation.policies) for (const rule of policy.rules) decisions[`${policy.policy}/${rule.rule}`] = rule.decision;
  return {
    untouched: isUntouched(explanation),
    result: {
      allowed: response.allowed,
      code: response.status?.code,
      reason: response.status?.reason,
      message: response.status?.message,
      warnings: response.warnings ?? [],
      auditAnnotations: response.auditAnnotations ?? {},
      patch,
      object,
      matched: explanation.policies.map((p) => p.policy),
      decisions,
    },
  };
}

function compileFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  try {
    const re = compileRe2(pattern);
    return (name) => re.test(name);
  } catch (err) {
    if (err instanceof Re2SyntaxError) throw new UsageError(`--run: ${err.message}`);
    throw err;
  }
}

function judgeCase(config: RuntimeConfig, suite: PolicyTestSuite, testCase: PolicyTestCase, failOnSkip: boolean): CaseOutcome {
  const base = { file: path.relative(process.cwd(), testCase.file), suite: suite.name, name: testCase.name };
  let run: ReturnType<typeof runCase>;
  try {
    run = runCase(config, testCase);
  } catch (err) {
    return { ...base, status: 'fail', failures: [`error: ${errorMessage(err)}`] };
  }
  if (run.untouched) {
    const { kind } = testCase.request;
    const why = `no CRD schema and no policy applies to ${kind.group || 'core'}/${kind.version} ${kind.kind} (${testCase.request.operation})`;
    return failOnSkip ? { ...base, status: 'fail', failures: [`${why}, and skips are not allowed`] } : { ...base, status: 'skip', failures: [why] };
  }
  const failures = checkExpectation(testCase.expect, run.result);
  return { ...base, status: failures.length === 0 ? 'pass' : 'fail', failures };
}

async function unloadedPolicyFiles(suitePaths: readonly string[], loaded: readonly string[]): Promise<string[]> {
  const resolved = new Set(loaded.map((f) => path.resolve(f)));
  const { documents } = await documentsUnder(suitePaths);
  const files = documents.filter((d) => isJsonObject(d.value) && d.value['kind'] === POLICY_KIND && !resolved.has(path.resolve(d.file))).map((d) => d.file);
  return [...new Set(files)];
}

/**
 * checkBindings loads the ControllerBindings as `portcullis controller` does at start (filters compiled
 * through the shared CEL environment), so a binding the controller would refuse fails `test` too. The
 * default folder is skipped when it doesn't exist; an explicit --bindings must exist.
 */
async function checkBindings(flag: string | undefined, stderr: (s: string) => void): Promise<void> {
  const dir = flag ?? DEFAULT_BINDINGS_DIR;
  if (!existsSync(dir)) {
    if (flag !== undefined) throw new UsageError(`--bindings ${flag}: no such folder`);
    return;
  }
  const bindings = await loadBindings(dir);
  stderr(`checked ${bindings.length} bindings in ${dir}\n`);
}

/** DEFAULT_BINDINGS_DIR is where `portcullis controller` reads bindings unless --bindings says otherwise. */
const DEFAULT_BINDINGS_DIR = 'policies/bindings';

/** runTest runs the suites and prints the results; returns the exit status. */
export async function runTest(argv: string[], io: { stdout: (s: string) => void; stderr?: (s: string) => void }): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const { values, positionals } = parseFlags(
    argv,
    { ...SOURCE_FLAGS, bindings: { type: 'string' }, run: { type: 'string' }, output: { type: 'string', short: 'o' }, 'fail-on-skip': { type: 'boolean' } },
    true,
  );
  const format = values.output ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'junit') throw new UsageError(`--output must be text, json or junit, got ${JSON.stringify(format)}`);
  const selected = compileFilter(values.run);
  const sources = await resolveSources(values);
  const suitePaths = positionals.length > 0 ? positionals : sources.policyPaths;
  await requirePaths('suite path', suitePaths, positionals.length > 0);
  const loaded = await loadOfflineConfig(sources);
  const { config } = loaded;
  stderr(`${loadedSummary(loaded)}\n`);
  await checkBindings(values.bindings, stderr);
  for (const d of config.crds.diagnostics) stderr(`warning: ${diagnosticMessage(d)}\n`);
  for (const file of await unloadedPolicyFiles(suitePaths, config.policyFiles)) {
    stderr(`warning: ${file} holds AdmissionPolicy documents that are not loaded (not under --policies ${sources.policyPaths.join(', ')}); its suites test the loaded policies only\n`);
  }
  const plural = new Map(config.crds.crds.map((crd) => [`${crd.spec.group}/${crd.spec.names.kind}`, crd.spec.names.plural]));
  const { documents } = await documentsUnder(suitePaths);
  const suites = documents
    .filter((d) => isJsonObject(d.value) && d.value['kind'] === POLICY_TEST_KIND)
    .map((doc) => readPolicyTestSuite(doc, (gvk) => plural.get(`${gvk.group}/${gvk.kind}`)));
  const policyNames = new Set(config.policies.policies.map((p) => p.name));
  const report: TestReport = { loaded: loadedSummary(loaded), suites: [], cases: [] };
  for (const suite of suites) {
    const cases = suite.cases.filter((c) => selected(`${suite.name}/${c.name}`));
    if (cases.length === 0) continue;
    const missing = suite.policies.filter((name) => !policyNames.has(name));
    report.suites.push({ file: path.relative(process.cwd(), suite.file), name: suite.name, problems: missing.map((name) => `spec.policies: policy ${JSON.stringify(name)} is not loaded (from --policies ${sources.policyPaths.join(', ')})`) });
    for (const testCase of cases) report.cases.push(judgeCase(config, suite, testCase, suite.failOnSkip || values['fail-on-skip'] === true));
  }
  const scope = suitePaths.join(', ');
  if (suites.length === 0) report.problem = `no PolicyTest suite found under ${scope}`;
  else if (report.cases.length === 0) report.problem = values.run !== undefined ? `no case matches --run ${JSON.stringify(values.run)}` : `no test cases found under ${scope}`;
  io.stdout(formatTestReport(report, format));
  const failed = report.problem !== undefined || report.cases.some((c) => c.status === 'fail') || report.suites.some((s) => s.problems.length > 0);
  return failed ? 1 : 0;
}
