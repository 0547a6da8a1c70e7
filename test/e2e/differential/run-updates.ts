/**
 * The UPDATE half of the differential test, for ratcheting and transition
 * rules: objects are stored while the CRD's schema is open (so invalid ones
 * get in), the schema is then tightened, and each stored object is updated
 * (dry run) in a few ways. The apiserver's verdict must match Portcullis's
 * on the same UPDATE with the stored object as oldObject.
 */
import fc from 'fast-check';
import { createSchemaDefaulter, createSchemaValidator } from '../../../src/admission/schema-stages.js';
import { createMutateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import { createCrdRegistry } from '../../../src/schema/crd-registry.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { ApiClient } from './apiserver-client.js';
import { breakages } from './break-object.js';
import { compareOutcomes, fromApiserver, fromPortcullis } from './compare.js';
import type { CaseResult } from './run-differential.js';
import { arbitraryFor } from '../../support/schema-arbitrary.js';

/** UpdateOptions configures runUpdates. */
export interface UpdateOptions {
  /** crd is installed under its own name; it must not be installed yet. */
  crd: CustomResourceDefinition;
  client: ApiClient;
  namespace: string;
  /** apply installs or replaces a CRD in the cluster and waits until it serves. */
  apply(crd: CustomResourceDefinition, open: boolean): Promise<void>;
  count: number;
  seed: number;
}

function openCopy(crd: CustomResourceDefinition): CustomResourceDefinition {
  const copy = structuredClone(crd);
  for (const v of copy.spec.versions) v.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return copy;
}

/** updateVariants returns the updates tried on one stored object: label only, one valid change, one more breakage, a transition. */
function updateVariants(stored: JsonObject, specSchema: Schema, pick: number, fresh: JsonValue): { what: string; object: JsonObject }[] {
  const out: { what: string; object: JsonObject }[] = [];
  const labelled = structuredClone(stored);
  (labelled['metadata'] as JsonObject)['labels'] = { touched: 'yes' };
  out.push({ what: 'label only', object: labelled });
  const touched = structuredClone(stored);
  const spec = (touched['spec'] ?? {}) as JsonObject;
  spec['options'] = { verbose: true, level: 2 };
  touched['spec'] = spec;
  out.push({ what: 'valid change elsewhere', object: touched });
  const options = breakages(stored['spec'] as JsonValue, specSchema, ['spec']);
  if (options.length > 0) {
    const broken = structuredClone(stored);
    const breakage = options[pick % options.length] as (typeof options)[number];
    breakage.apply(broken);
    out.push({ what: `break ${breakage.what}`, object: broken });
  }
  const replaced = structuredClone(stored);
  replaced['spec'] = fresh;
  out.push({ what: 'replace spec', object: replaced });
  return out;
}

function request(crd: CustomResourceDefinition, object: JsonObject, oldObject: JsonObject, n: number): AdmissionRequest {
  const version = crd.spec.versions[0]?.name ?? 'v1';
  return {
    uid: `u-${n}`,
    kind: { group: crd.spec.group, version, kind: crd.spec.names.kind },
    resource: { group: crd.spec.group, version, resource: crd.spec.names.plural },
    name: String((object['metadata'] as JsonObject)['name']),
    namespace: String((object['metadata'] as JsonObject)['namespace']),
    operation: 'UPDATE',
    userInfo: { username: 'admin' },
    object,
    oldObject,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'UpdateOptions' },
  };
}

/** runUpdates stores objects under an open schema, tightens it, and compares dry-run updates. */
export async function runUpdates(options: UpdateOptions): Promise<CaseResult[]> {
  const { crd, client, namespace } = options;
  const version = crd.spec.versions[0]?.name ?? 'v1';
  const base = `/apis/${crd.spec.group}/${version}/namespaces/${namespace}/${crd.spec.names.plural}`;
  const specSchema = crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.['spec'] as Schema;
  const specs = fc.sample(arbitraryFor(specSchema), { seed: options.seed, numRuns: options.count });
  const fresh = fc.sample(arbitraryFor(specSchema), { seed: options.seed + 7, numRuns: options.count });
  const picks = fc.sample(fc.nat(), { seed: options.seed + 13, numRuns: options.count * 2 });

  await options.apply(openCopy(crd), true);
  const names: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const spec = specs[i] as JsonValue;
    // Half the stored objects break the strict schema in one place (the apiserver can't tell yet).
    const object: JsonObject = { apiVersion: `${crd.spec.group}/${version}`, kind: crd.spec.names.kind, metadata: { name: `u-${i}`, namespace }, spec };
    if (i % 2 === 1) {
      const options2 = breakages(spec, specSchema, ['spec']).filter((b) => !b.what.startsWith('unknown field'));
      if (options2.length > 0) (options2[(picks[i] as number) % options2.length] as (typeof options2)[number]).apply(object);
    }
    const created = await client.request('POST', base, object);
    if (created.status === 201) names.push(`u-${i}`);
  }
  await options.apply(crd, false);

  const registry = createCrdRegistry([{ crd, file: 'memory', index: 0 }], { extensions: createKubernetesExtensions() });
  const chain = { mutators: [createSchemaDefaulter({ crds: registry })], validators: [createSchemaValidator({ crds: registry })] };
  const mutate = createMutateHandler({ chain: () => chain });
  const results: CaseResult[] = [];
  let n = 0;
  for (const name of names) {
    const stored = (await client.request('GET', `${base}/${name}`)).body;
    const i = Number(name.slice(2));
    for (const variant of updateVariants(stored, specSchema, picks[options.count + i] as number, fresh[i] as JsonValue)) {
      const answer = await client.request('PUT', `${base}/${name}`, variant.object, true);
      const apiserver = fromApiserver(answer);
      const ours = fromPortcullis(variant.object, mutate(request(crd, structuredClone(variant.object), structuredClone(stored), n++)));
      results.push({ crd: crd.metadata.name, version, variant: `UPDATE ${name} ${variant.what}`, object: variant.object, apiserver, ours, differences: compareOutcomes(apiserver, ours) });
    }
  }
  return results;
}
