/**
 * The half of the differential test that sends what real clients send:
 * objects serialised as typed Go clients do (`metadata.creationTimestamp:
 * null`, `status: {}`, a status struct of nulls, a whole generated status,
 * nil optional fields as `null`), server-side-apply YAML (as `kubectl apply
 * --server-side` sends it), main-resource updates carrying a status, `/status`
 * updates (valid and broken) and `/scale` updates. The apiserver's answer
 * (dry run) is compared with Portcullis's /mutate on the same request, and
 * every object the apiserver accepted must pass /validate as the apiserver
 * hands it on.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { RuntimeConfig } from '../../../src/server/admission-runtime.js';
import type { CustomResourceDefinition, CrdVersion } from '../../../src/schema/crd.js';
import { compileDecodedView } from '../../../src/schema/decoded-view.js';
import type { DecodedViewer } from '../../../src/schema/decoded-view.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { ApiClient, DryRunResult } from './apiserver-client.js';
import { breakages } from './break-object.js';
import { compareOutcomes, fromApiserver, fromPortcullis } from './compare.js';
import type { CaseResult } from './run-differential.js';
import { arbitraryFor } from '../../support/schema-arbitrary.js';

/** ClientShapesOptions configures runClientShapes. */
export interface ClientShapesOptions {
  crds: readonly CustomResourceDefinition[];
  runtime: RuntimeConfig;
  client: ApiClient;
  namespace: string;
  /** perCrd is how many generated objects each CRD's storage version gets. */
  perCrd: number;
  /** minimalSpecs give, by kind, a spec the apiserver accepts, stored when no generated object of a CRD with a scale subresource was, so /scale cases always run. */
  minimalSpecs?: Readonly<Record<string, JsonObject>>;
  seed: number;
}

interface Target {
  crd: CustomResourceDefinition;
  version: CrdVersion;
  base: string;
  specSchema: Schema | undefined;
  statusSchema: Schema | undefined;
}

/** nullStatus is a status as a typed client writes a zero struct: every list, map and pointer field null. */
function nullStatus(schema: Schema | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [name, sub] of Object.entries(schema?.properties ?? {})) if (sub.type === 'array' || sub.type === 'object') out[name] = null;
  return out;
}

/** withNilFields adds `null` for absent optional list and map fields of the spec, as nil slices and maps without omitempty serialise. */
function withNilFields(spec: JsonValue, schema: Schema | undefined): JsonValue {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || schema?.properties === undefined) return spec;
  const out: JsonObject = { ...spec };
  for (const [name, sub] of Object.entries(schema.properties)) if (!(name in out) && (sub.type === 'array' || sub.type === 'object')) out[name] = null;
  return out;
}

function typedMetadata(name: string, namespace: string, crd: CustomResourceDefinition): JsonObject {
  return crd.spec.scope === 'Namespaced' ? { name, namespace, creationTimestamp: null } : { name, creationTimestamp: null };
}

function admissionRequest(t: Target, operation: 'CREATE' | 'UPDATE', object: JsonObject, oldObject: JsonObject | null, n: number, subResource?: string): AdmissionRequest {
  const metadata = object['metadata'] as JsonObject;
  const scale = subResource === 'scale';
  return {
    uid: `c-${n}`,
    kind: scale ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: t.crd.spec.group, version: t.version.name, kind: t.crd.spec.names.kind },
    resource: { group: t.crd.spec.group, version: t.version.name, resource: t.crd.spec.names.plural },
    ...(subResource ? { subResource } : {}),
    name: String(metadata['name']),
    ...(metadata['namespace'] ? { namespace: String(metadata['namespace']) } : {}),
    operation,
    userInfo: { username: 'admin', groups: ['system:masters'] },
    object,
    oldObject,
    dryRun: true,
  };
}

/** runClientShapes runs every client-shaped case against both sides. */
export async function runClientShapes(options: ClientShapesOptions): Promise<CaseResult[]> {
  const mutate = createMutateHandler({ chain: () => options.runtime.chain });
  const validate = createValidateHandler({ chain: () => options.runtime.chain });
  const results: CaseResult[] = [];
  let n = 0;
  const views = new Map<string, DecodedViewer>();
  const decodedFor = (t: Target): ((o: JsonObject) => JsonObject) => {
    const schema = t.version.schema?.openAPIV3Schema;
    if (schema === undefined) return (o) => o;
    let view = views.get(t.crd.metadata.name);
    if (view === undefined) views.set(t.crd.metadata.name, (view = compileDecodedView(schema)));
    return (o) => (view as DecodedViewer)(o).object;
  };
  const compare = (t: Target, variant: string, object: JsonObject, answer: DryRunResult, request: AdmissionRequest, validated?: AdmissionRequest) => {
    const apiserver = fromApiserver(answer);
    // A Scale's spec is the Scale's; a resource's is compared as the apiserver stores it.
    const ours = fromPortcullis(object, mutate(request), request.subResource === 'scale' ? undefined : decodedFor(t));
    const differences = compareOutcomes(apiserver, ours);
    // Online, /validate sees what the apiserver hands on: what it accepted must pass.
    if (apiserver.allowed && validated !== undefined && !validate(validated).allowed) differences.push('validate');
    results.push({ crd: t.crd.metadata.name, version: t.version.name, variant, object, apiserver, ours, differences });
  };

  for (const [ci, crd] of options.crds.entries()) {
    const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
    if (version === undefined || !version.served) continue;
    const schema = version.schema?.openAPIV3Schema;
    const ns = crd.spec.scope === 'Namespaced' ? `/namespaces/${options.namespace}` : '';
    const t: Target = { crd, version, base: `/apis/${crd.spec.group}/${version.name}${ns}/${crd.spec.names.plural}`, specSchema: schema?.properties?.['spec'], statusSchema: schema?.properties?.['status'] };
    const seed = options.seed + ci * 211;
    const specs = t.specSchema ? fc.sample(arbitraryFor(t.specSchema), { seed, numRuns: options.perCrd }) : Array.from({ length: options.perCrd }, () => ({}));
    const statuses = t.statusSchema ? fc.sample(arbitraryFor(t.statusSchema), { seed: seed + 1, numRuns: options.perCrd }) : [];
    const picks = fc.sample(fc.nat(), { seed: seed + 2, numRuns: options.perCrd });
    for (let i = 0; i < options.perCrd; i++) {
      const name = `c-${ci}-${i}`;
      const spec = withNilFields(specs[i] as JsonValue, t.specSchema);
      const shapes: [string, JsonValue][] = [['status {}', {}], ['status of nulls', nullStatus(t.statusSchema)]];
      if (statuses[i] !== undefined) shapes.push(['generated status', statuses[i] as JsonValue]);
      for (const [what, status] of shapes) {
        const object: JsonObject = { kind: crd.spec.names.kind, apiVersion: `${crd.spec.group}/${version.name}`, metadata: typedMetadata(name, options.namespace, crd), spec, status };
        const answer = await options.client.create(t.base, structuredClone(object));
        compare(t, `typed create, ${what}`, object, answer, admissionRequest(t, 'CREATE', structuredClone(object), null, n++), admissionRequest(t, 'CREATE', structuredClone(answer.body), null, n++));
      }
      // Server-side apply of the object as YAML (what `kubectl apply --server-side` sends); the webhook sees it with managedFields.
      const applied: JsonObject = { apiVersion: `${crd.spec.group}/${version.name}`, kind: crd.spec.names.kind, metadata: crd.spec.scope === 'Namespaced' ? { name, namespace: options.namespace } : { name }, spec: specs[i] as JsonValue };
      // YAML 1.1, as kubectl and the apiserver read it: a string `y` or `no` must be quoted.
      const ssa = await options.client.apply(`${t.base}/${name}`, stringify(applied, { version: '1.1' }), true);
      const withManaged = structuredClone(applied);
      (withManaged['metadata'] as JsonObject)['managedFields'] = [{ manager: 'diff', operation: 'Apply', apiVersion: `${crd.spec.group}/${version.name}`, time: '2026-12-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
      compare(t, 'server-side apply create', applied, ssa, admissionRequest(t, 'CREATE', withManaged, null, n++), admissionRequest(t, 'CREATE', structuredClone(ssa.body), null, n++));
      await runStoredUpdates(options, t, name, { spec, status: statuses[i], pick: picks[i] as number }, compare, () => n++);
    }
    const minimal = options.minimalSpecs?.[crd.spec.names.kind];
    if (version.subresources?.scale && minimal !== undefined && !results.some((r) => r.crd === crd.metadata.name && r.variant.startsWith('/scale'))) {
      await runStoredUpdates(options, t, `c-${ci}-minimal`, { spec: structuredClone(minimal), status: statuses[0], pick: 0 }, compare, () => n++);
    }
  }
  return results;
}

type Compare = (t: Target, variant: string, object: JsonObject, answer: DryRunResult, request: AdmissionRequest, validated?: AdmissionRequest) => void;

/**
 * runStoredUpdates stores the object for real (when the apiserver takes it), then compares a
 * typed-client main-resource update carrying a status of nulls, a /status write of the generated
 * status and one broken variant of it, and, for a scale subresource, /scale updates.
 */
async function runStoredUpdates(options: ClientShapesOptions, t: Target, name: string, seedValues: { spec: JsonValue; status: JsonValue | undefined; pick: number }, compare: Compare, next: () => number): Promise<void> {
  const object: JsonObject = { apiVersion: `${t.crd.spec.group}/${t.version.name}`, kind: t.crd.spec.names.kind, metadata: t.crd.spec.scope === 'Namespaced' ? { name, namespace: options.namespace } : { name }, spec: seedValues.spec };
  const scale = t.version.subresources?.scale;
  // A /scale GET fails when the replicas field is absent: store it set.
  if (scale) setPath(object, scale.specReplicasPath, 2);
  const created = await options.client.request('POST', t.base, object);
  if (created.status !== 201) return;
  let stored = created.body;
  const put = async (what: string, body: JsonObject, subResource?: 'status'): Promise<DryRunResult> => {
    const path = subResource ? `${t.base}/${name}/${subResource}` : `${t.base}/${name}`;
    const answer = await options.client.request('PUT', path, body, true);
    compare(t, what, body, answer, admissionRequest(t, 'UPDATE', structuredClone(body), structuredClone(stored), next(), subResource), admissionRequest(t, 'UPDATE', structuredClone(answer.body), structuredClone(stored), next(), subResource));
    return answer;
  };
  const typed = structuredClone(stored);
  (typed['metadata'] as JsonObject)['labels'] = { touched: 'yes' };
  typed['status'] = nullStatus(t.statusSchema);
  await put('typed main-resource update, status of nulls', typed);
  if (t.version.subresources?.status && seedValues.status !== undefined) {
    const written = { ...structuredClone(stored), status: seedValues.status };
    const answer = await put('/status update, generated status', written, 'status');
    const options2 = t.statusSchema ? breakages(seedValues.status, t.statusSchema, ['status']) : [];
    if (options2.length > 0) {
      const broken = structuredClone(written);
      const breakage = options2[seedValues.pick % options2.length] as (typeof options2)[number];
      breakage.apply(broken);
      await put(`/status update, broken: ${breakage.what}`, broken, 'status');
    }
    await put('/status update, status of the wrong shape', { ...structuredClone(stored), status: 'not an object' }, 'status');
    // With a status stored, the same broken write ratchets against it.
    if (answer.status === 200) {
      const real = await options.client.request('PUT', `${t.base}/${name}/status`, written);
      if (real.status === 200) {
        stored = real.body;
        await put('/status update, unchanged stored status', structuredClone(stored), 'status');
      }
    }
  }
  if (scale) {
    const got = await options.client.request('GET', `${t.base}/${name}/scale`);
    if (got.status !== 200) throw new Error(`GET ${name}/scale answered ${got.status}: ${JSON.stringify(got.body).slice(0, 300)}`);
    const current = got.body;
    for (const replicas of [2, 0, -1, 7, 1000]) {
      const body: JsonObject = { ...structuredClone(current), spec: { replicas } };
      const answer = await options.client.request('PUT', `${t.base}/${name}/scale`, body, true);
      compare(t, `/scale update to ${replicas}`, body, answer, admissionRequest(t, 'UPDATE', structuredClone(body), structuredClone(current), next(), 'scale'));
    }
  }
}

function setPath(object: JsonObject, path: string, value: JsonValue): void {
  const fields = path.replace(/^\./, '').split('.');
  let cur: JsonObject = object;
  for (const field of fields.slice(0, -1)) {
    const next = cur[field];
    cur = (cur[field] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {}) as JsonObject;
  }
  cur[fields[fields.length - 1] as string] = value;
}
