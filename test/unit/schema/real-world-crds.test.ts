/**
 * The real-world CRDs through the whole admission chain in-process: every
 * rule compiles, defaults come out as the apiserver applies them, and
 * denials read as the apiserver words them (checked against kube-apiserver
 * v1.35.4 by the differential test).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMutateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { loadRuntimeConfig, type RuntimeConfig } from '../../../src/server/admission-runtime.js';

let runtime: RuntimeConfig;
function request(object: JsonObject): AdmissionRequest {
  const [group, version] = String(object['apiVersion']).split('/') as [string, string];
  const kind = String(object['kind']);
  return {
    uid: 'u',
    kind: { group, version, kind },
    resource: { group, version, resource: `${kind.toLowerCase()}s` },
    operation: 'CREATE',
    userInfo: { username: 'u' },
    object,
    oldObject: null,
  };
}

const route = (spec: JsonObject): JsonObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'd' }, spec });

describe('real-world CRDs in the admission chain', () => {
  before(async () => {
    runtime = await loadRuntimeConfig({ crdPaths: ['test/fixtures/real-world-crds'], policyPaths: [] });
  });

  it('loads every CRD and compiles every x-kubernetes-validations rule', () => {
    assert.equal(runtime.crds.crds.length, 10);
  });

  it('defaults an HTTPRoute as the apiserver does (parentRef group/kind, rules, matches, path)', () => {
    const mutate = createMutateHandler({ chain: () => runtime.chain });
    const response = mutate(request(route({ parentRefs: [{ name: 'gw' }] })));
    assert.equal(response.allowed, true);
    const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString()) as { op: string; path: string; value: unknown }[];
    assert.deepEqual(ops, [
      { op: 'add', path: '/spec/parentRefs/0/group', value: 'gateway.networking.k8s.io' },
      { op: 'add', path: '/spec/parentRefs/0/kind', value: 'Gateway' },
      { op: 'add', path: '/spec/rules', value: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] },
    ]);
  });

  it('denies a Gateway with duplicate listener names in the apiserver words', () => {
    const mutate = createMutateHandler({ chain: () => runtime.chain });
    const listener = { name: 'http', port: 80, protocol: 'HTTP' };
    const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'd' }, spec: { gatewayClassName: 'c', listeners: [listener, { ...listener, port: 81 }] } };
    const response = mutate(request(gateway));
    assert.equal(response.allowed, false);
    assert.equal(response.status?.message, 'Gateway.gateway.networking.k8s.io "g" is invalid: [spec.listeners[1]: Duplicate value: {"name":"http"}, spec.listeners: Invalid value: Listener name must be unique within the Gateway]');
  });

  it('warns about fields the apiserver would prune and leaves them in place', () => {
    const mutate = createMutateHandler({ chain: () => runtime.chain });
    const parentRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }];
    const response = mutate(request(route({ parentRefs, bogus: 1, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] })));
    assert.equal(response.allowed, true);
    assert.deepEqual(response.warnings, ['unknown field "spec.bogus"']);
    assert.equal(response.patch, undefined);
  });
});
