import path from 'node:path';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import type { AdmissionRequest } from '../admission/review.js';
import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { documentsUnder } from '../policy/loader.js';
import { checkExpectation } from '../policy/test-expect.js';
import type { CaseResult } from '../policy/test-expect.js';
import { parsePolicyTestSuite } from '../policy/test-suite.js';
import type { PolicyTestCase } from '../policy/test-suite.js';
import { POLICY_TEST_KIND } from '../policy/types.js';
import { loadRuntimeConfig } from '../server/admission-runtime.js';
import type { RuntimeConfig } from '../server/admission-runtime.js';
import { isJsonObject } from '../kube/types.js';
import { parseFlags } from './args.js';

/** TEST_USAGE documents `portcullis test`. */
export const TEST_USAGE = `Usage: portcullis test [flags] [DIR|FILE ...]

Run the PolicyTest suites found under DIR (default: policies) against the
policies loaded from the same paths and the CRDs of --crds, through the same
handlers as the server. Prints one line per case and a final line
"N passed, N failed".

Flags:
  --crds PATH   CRD YAML file or folder, repeatable (default manifests/crds)

Exit status: 0 when every case passes, 1 when any fails, 2 when a policy,
CRD or suite can't be loaded.
`;

function runCase(config: RuntimeConfig, testCase: PolicyTestCase): CaseResult {
  const chain = () => config.chain;
  const handler = testCase.endpoint === 'validate' ? createValidateHandler({ chain }) : createMutateHandler({ chain });
  const request = testCase.request as AdmissionRequest;
  const response = handler(request);
  const patch = response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonValue[]) : [];
  const object = request.object ? (jsonPatch.applyPatch(deepCopy(request.object), patch as unknown as Operation[], true, false).newDocument as JsonObject) : null;
  return {
    allowed: response.allowed,
    code: response.status?.code,
    reason: response.status?.reason,
    message: response.status?.message,
    warnings: response.warnings ?? [],
    auditAnnotations: response.auditAnnotations ?? {},
    patch,
    object,
  };
}

/** runTest runs the suites and prints the results; returns the exit status. */
export async function runTest(argv: string[], io: { stdout: (s: string) => void }): Promise<number> {
  const { values, positionals } = parseFlags(argv, { crds: { type: 'string', multiple: true } }, true);
  const paths = positionals.length > 0 ? positionals : ['policies'];
  const config = await loadRuntimeConfig({ crdPaths: values.crds ?? ['manifests/crds'], policyPaths: paths });
  const plural = new Map(config.crds.crds.map((crd) => [`${crd.spec.group}/${crd.spec.names.kind}`, crd.spec.names.plural]));
  const { documents } = await documentsUnder(paths);
  const suites = documents.filter((d) => isJsonObject(d.value) && d.value['kind'] === POLICY_TEST_KIND);
  const cases = suites.flatMap((doc) => parsePolicyTestSuite(doc, (gvk) => plural.get(`${gvk.group}/${gvk.kind}`)));
  let passed = 0;
  let failed = 0;
  for (const testCase of cases) {
    const where = `${path.relative(process.cwd(), testCase.file)}: ${testCase.suite}: ${testCase.name}`;
    let failures: string[];
    try {
      failures = checkExpectation(testCase.expect, runCase(config, testCase));
    } catch (err) {
      failures = [`error: ${(err as Error).message}`];
    }
    if (failures.length === 0) {
      passed++;
      io.stdout(`PASS ${where}\n`);
    } else {
      failed++;
      io.stdout(`FAIL ${where}\n${failures.map((f) => `     ${f}\n`).join('')}`);
    }
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
