/**
 * The differential run: for every served version of every real-world CRD,
 * generate objects (valid ones and minimally broken variants), submit each
 * to the apiserver as a dry-run create and to Portcullis's /mutate handler
 * in-process, and compare the outcomes.
 */
import fc from 'fast-check';
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { RuntimeConfig } from '../../../src/server/admission-runtime.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { DryRunClient } from './apiserver-client.js';
import { breakages } from './break-object.js';
import { compareOutcomes, fromApiserver, fromPortcullis } from './compare.js';
import type { Difference, Outcome } from './compare.js';
import { arbitraryFor } from '../../support/schema-arbitrary.js';

/** Case is one object sent to both sides. */
export interface Case {
  crd: string;
  version: string;
  /** variant is `valid` or the breakage applied. */
  variant: string;
  object: JsonObject;
}

/** CaseResult is a case with both outcomes and their differences. */
export interface CaseResult extends Case {
  apiserver: Outcome;
  ours: Outcome;
  differences: Difference[];
}

/** DifferentialOptions configures runDifferential. */
export interface DifferentialOptions {
  crds: readonly CustomResourceDefinition[];
  runtime: RuntimeConfig;
  client: DryRunClient;
  namespace: string;
  /** perVersion is how many generated objects each served version gets (each also yields one broken variant). */
  perVersion: number;
  seed: number;
}

/** generateCases builds the cases of one CRD version: `count` generated objects and one broken variant of each. */
export function generateCases(crd: CustomResourceDefinition, version: string, count: number, seed: number, namespace: string): Case[] {
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema as Schema;
  const specSchema = schema.properties?.['spec'];
  const specs = specSchema ? fc.sample(arbitraryFor(specSchema), { seed, numRuns: count }) : Array.from({ length: count }, () => ({}));
  const picks = fc.sample(fc.nat(), { seed: seed + 1, numRuns: count });
  const cases: Case[] = [];
  specs.forEach((spec, i) => {
    const name = `d-${version}-${i}`;
    const base: JsonObject = {
      apiVersion: `${crd.spec.group}/${version}`,
      kind: crd.spec.names.kind,
      metadata: crd.spec.scope === 'Namespaced' ? { name, namespace } : { name },
      spec: spec as JsonValue,
    };
    cases.push({ crd: crd.metadata.name, version, variant: 'valid', object: base });
    const options = specSchema ? breakages(spec as JsonValue, specSchema, ['spec']) : [];
    if (options.length === 0) return;
    const breakage = options[(picks[i] as number) % options.length] as (typeof options)[number];
    const broken = structuredClone(base);
    breakage.apply(broken);
    (broken['metadata'] as JsonObject)['name'] = `${name}-b`;
    cases.push({ crd: crd.metadata.name, version, variant: breakage.what, object: broken });
  });
  return cases;
}

function requestFor(crd: CustomResourceDefinition, version: string, object: JsonObject, n: number): AdmissionRequest {
  const metadata = object['metadata'] as JsonObject;
  return {
    uid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    kind: { group: crd.spec.group, version, kind: crd.spec.names.kind },
    resource: { group: crd.spec.group, version, resource: crd.spec.names.plural },
    name: String(metadata['name']),
    ...(metadata['namespace'] ? { namespace: String(metadata['namespace']) } : {}),
    operation: 'CREATE',
    userInfo: { username: 'admin', groups: ['system:masters'] },
    object,
    oldObject: null,
    dryRun: true,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  };
}

function resourcePath(crd: CustomResourceDefinition, version: string, namespace: string): string {
  const ns = crd.spec.scope === 'Namespaced' ? `/namespaces/${namespace}` : '';
  return `/apis/${crd.spec.group}/${version}${ns}/${crd.spec.names.plural}`;
}

/** runDifferential runs every case against both sides, a few requests at a time. */
export async function runDifferential(options: DifferentialOptions): Promise<CaseResult[]> {
  const mutate = createMutateHandler({ chain: () => options.runtime.chain });
  const validate = createValidateHandler({ chain: () => options.runtime.chain });
  const jobs: { crd: CustomResourceDefinition; c: Case }[] = [];
  options.crds.forEach((crd, ci) => {
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      for (const c of generateCases(crd, v.name, options.perVersion, options.seed + ci * 101, options.namespace)) jobs.push({ crd, c });
    }
  });
  const results: CaseResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const { crd, c } = jobs[i] as (typeof jobs)[number];
      const answer = await options.client.create(resourcePath(crd, c.version, options.namespace), structuredClone(c.object));
      const apiserver = fromApiserver(answer);
      const ours = fromPortcullis(c.object, mutate(requestFor(crd, c.version, structuredClone(c.object), i)));
      const differences = compareOutcomes(apiserver, ours);
      // Online, /validate sees the object as the apiserver decoded and defaulted it: what it accepted must pass.
      if (apiserver.allowed && !validate(requestFor(crd, c.version, structuredClone(answer.body), i)).allowed) differences.push('validate');
      results[i] = { ...c, apiserver, ours, differences };
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return results;
}
