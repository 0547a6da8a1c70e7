/**
 * The apiserver's request semantics before validation (status reset on
 * create and main-resource update, /status and /scale updates), through the
 * same handlers the server uses, on objects shaped as typed Go clients send
 * them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest, AdmissionResponse } from '../../../src/admission/review.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { createSchemaDefaulter, createSchemaValidator } from '../../../src/admission/schema-stages.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import { createCrdRegistry } from '../../../src/schema/crd-registry.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import { loadRuntimeConfig, type RuntimeConfig } from '../../../src/server/admission-runtime.js';

let runtime: RuntimeConfig;
const BLOCKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
const GVK = { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute' };
const GVR = { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes' };

/**
 * typedRoute is an HTTPRoute as client-go's typed client serialises it (zero
 * values, nulls, creationTimestamp: null, a status), with the schema's
 * defaults filled in, as /validate receives it from the apiserver.
 */
function typedRoute(status: JsonObject | null, spec: JsonObject = {}): JsonObject {
  return {
    kind: 'HTTPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
    metadata: { name: 'r', namespace: 'd', creationTimestamp: null },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
      hostnames: null,
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters: null, backendRefs: [{ group: '', kind: 'Service', name: 'svc', port: 80, weight: 1 }] }],
      ...spec,
    },
    status,
  };
}

function request(operation: 'CREATE' | 'UPDATE', object: JsonObject, oldObject: JsonObject | null = null, subResource?: string): AdmissionRequest {
  return { uid: 'u', kind: GVK, resource: GVR, subResource, operation, userInfo: { username: 'u' }, object, oldObject, name: 'r', namespace: 'd' };
}

const causes = (response: AdmissionResponse) => (response.status?.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
const both = (req: AdmissionRequest) => [createMutateHandler({ chain: () => runtime.chain })(req), createValidateHandler({ chain: () => runtime.chain })(req)];

const acceptedParent = (conditions: JsonObject[]): JsonObject => ({ parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'example.com/gateway', conditions });
const condition = (observedGeneration: number): JsonObject => ({ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration });

describe('status subresource semantics (HTTPRoute)', () => {
  before(async () => {
    runtime = await loadRuntimeConfig({ crdPaths: ['test/fixtures/real-world-crds/gateway-api/httproutes.yaml'], policyPaths: [] });
  });

  it('a create drops the status before validating: status {parents: null}, {} and a wrong shape all pass', () => {
    for (const status of [{ parents: null }, {}, { parents: 'not a list' }, null] as (JsonObject | null)[]) {
      for (const response of both(request('CREATE', typedRoute(status)))) assert.equal(response.allowed, true, JSON.stringify([status, response.status]));
    }
  });

  it('the create patch never touches status and keeps creationTimestamp: null', () => {
    const response = createMutateHandler({ chain: () => runtime.chain })(request('CREATE', typedRoute({ parents: null })));
    const ops = JSON.parse(Buffer.from(response.patch ?? 'W10=', 'base64').toString()) as { path: string }[];
    assert.deepEqual(ops.filter((op) => op.path.startsWith('/status') || op.path.startsWith('/metadata')), []);
  });

  it('a main-resource update keeps the old status: a new status of any shape is not judged', () => {
    const old = typedRoute({ parents: [] });
    for (const response of both(request('UPDATE', typedRoute({ parents: [{ bogus: true }] }), old))) assert.equal(response.allowed, true);
    // Without an old status, the new one is dropped.
    const oldWithout = typedRoute(null);
    delete oldWithout['status'];
    for (const response of both(request('UPDATE', typedRoute({ parents: null }), oldWithout))) assert.equal(response.allowed, true);
  });

  it('a main-resource update still judges the spec', () => {
    const old = typedRoute({ parents: [] });
    for (const response of both(request('UPDATE', typedRoute({ parents: null }, { hostnames: ['UPPER.example.com'] }), old))) {
      assert.equal(response.allowed, false);
      assert.match(causes(response).join('\n'), /^spec\.hostnames\[0\]: Invalid value: "UPPER\.example\.com"/m);
    }
  });

  it('a /status update validates the new status, with the apiserver\'s field paths and status-relative messages', () => {
    const old = typedRoute({ parents: [] });
    for (const response of both(request('UPDATE', typedRoute({ parents: null }), old, 'status'))) {
      assert.equal(response.allowed, false);
      assert.deepEqual(causes(response), ['status.parents: Required value', `<nil>: Invalid value: null: ${BLOCKED}`]);
    }
    const bad = typedRoute({ parents: [acceptedParent([condition(-1)])] });
    for (const response of both(request('UPDATE', bad, old, 'status'))) {
      assert.deepEqual(causes(response), ['status.parents[0].conditions[0].observedGeneration: Invalid value: -1: parents[0].conditions[0].observedGeneration in body should be greater than or equal to 0']);
    }
  });

  it('a /status update ignores the spec it carries (the old spec is kept) and passes a good status', () => {
    const old = typedRoute({ parents: [] });
    const sent = typedRoute({ parents: [acceptedParent([condition(1)])] }, { hostnames: ['UPPER.example.com'] });
    for (const response of both(request('UPDATE', sent, old, 'status'))) assert.equal(response.allowed, true, JSON.stringify(response.status));
  });

  it('a /status update ratchets against the old status', () => {
    const stale = typedRoute({ parents: [acceptedParent([condition(-1)])] });
    for (const response of both(request('UPDATE', structuredClone(stale), stale, 'status'))) assert.equal(response.allowed, true);
  });
});

describe('scale subresource semantics', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'dials.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Dial', plural: 'dials' },
      scope: 'Namespaced',
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', required: ['size'], properties: { size: { type: 'string' }, replicas: { type: 'integer', maximum: 10, 'x-kubernetes-validations': [{ rule: 'self != 7', message: 'seven is unlucky' }] } } },
              status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
            },
          },
        },
      }],
    },
  } as const;
  const registry = createCrdRegistry([{ crd: crd as unknown as CustomResourceDefinition, file: 'memory', index: 0 }], { extensions: createKubernetesExtensions() });
  const chain = () => ({ mutators: [createSchemaDefaulter({ crds: registry })], validators: [createSchemaValidator({ crds: registry })] });
  const dial = (spec: JsonObject, status?: JsonObject): JsonObject => ({ apiVersion: 'example.com/v1', kind: 'Dial', metadata: { name: 'd', namespace: 'n' }, spec, ...(status ? { status } : {}) });
  const scaleObject = (replicas: number): JsonObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd', namespace: 'n' }, spec: { replicas }, status: { replicas: 1, selector: 'app=d' } });
  const scaleRequest = (replicas: number, oldReplicas: number): AdmissionRequest => ({
    uid: 'u',
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    resource: { group: 'example.com', version: 'v1', resource: 'dials' },
    subResource: 'scale',
    operation: 'UPDATE',
    userInfo: { username: 'u' },
    object: scaleObject(replicas),
    oldObject: scaleObject(oldReplicas),
  });
  const dialRequest = (object: JsonObject, oldObject: JsonObject | null = null, subResource?: string): AdmissionRequest => ({
    uid: 'u',
    kind: { group: 'example.com', version: 'v1', kind: 'Dial' },
    resource: { group: 'example.com', version: 'v1', resource: 'dials' },
    subResource,
    operation: oldObject === null ? 'CREATE' : 'UPDATE',
    userInfo: { username: 'u' },
    object,
    oldObject,
  });
  const judge = (req: AdmissionRequest) => causes(createValidateHandler({ chain })(req));

  it('checks the replicas fields of the resource itself as the apiserver does', () => {
    assert.deepEqual(judge(dialRequest(dial({ size: 's', replicas: -1 }))), ['.spec.replicas: Invalid value: -1: should be a non-negative integer']);
    assert.deepEqual(judge(dialRequest(dial({ size: 's', replicas: 3 }, { replicas: -2 }), dial({ size: 's' }, { replicas: 1 }), 'status')), ['.status.replicas: Invalid value: -2: should be a non-negative integer']);
  });

  it('words a wrong-typed replicas field as unstructured accessors do', () => {
    assert.deepEqual(judge(dialRequest(dial({ size: 's', replicas: 1.5 }))), [
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      '<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.replicas',
      '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: 1.5 is of the type float64, expected int64',
      `<nil>: Invalid value: null: ${BLOCKED}`,
    ]);
  });

  it('a /scale update is judged by the replicas field: its schema, its own rules and the scale checks', () => {
    assert.deepEqual(judge(scaleRequest(3, 1)), []);
    assert.deepEqual(judge(scaleRequest(11, 1)), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
    assert.deepEqual(judge(scaleRequest(7, 1)), ['spec.replicas: Invalid value: 7: seven is unlucky']);
    assert.deepEqual(judge(scaleRequest(-1, 1)), ['.spec.replicas: Invalid value: -1: should be a non-negative integer']);
    // Unchanged replicas ratchet, as the unchanged resource does; the scale check itself never ratchets.
    assert.deepEqual(judge(scaleRequest(11, 11)), []);
    // The resource's other required fields are not judged from a Scale (spec.size is unknown here).
    assert.deepEqual(judge(scaleRequest(2, 1)), []);
  });
});
