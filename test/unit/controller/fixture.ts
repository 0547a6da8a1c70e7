import pino from 'pino';
import { join } from 'node:path';
import type { JsonObject } from '../../../src/kube/types.js';
import type { ApiClient, ResourceRef } from '../../../src/controller/api-client.js';
import { loadBindings } from '../../../src/controller/binding-loader.js';
import type { Binding } from '../../../src/controller/binding.js';
import { createEventRecorder } from '../../../src/controller/events.js';
import { createInformer, type Informer } from '../../../src/controller/informer.js';
import { BINDING_LABEL, claimIndexers } from '../../../src/controller/claim.js';
import { createReconciler } from '../../../src/controller/reconciler.js';
import type { Reconciler } from '../../../src/controller/run-loop.js';
import { createFakeApiClient, type FakeApiClient } from './fake-api-client.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

/** SERVICES and CLAIMS are the resources of the shipped binding. */
export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
export const CLAIMS: ResourceRef = {
  group: 'net.portcullis.dev',
  version: 'v1alpha1',
  resource: 'loadbalancerclaims',
  kind: 'LoadBalancerClaim',
  namespaced: false,
};

/** loadShippedBinding reads policies/bindings/ as the controller would. */
export async function loadShippedBinding(): Promise<Binding> {
  const [binding] = await loadBindings(join(import.meta.dirname, '../../../policies/bindings'));
  return binding!;
}

/** service builds a Service object. */
export function service(name: string, type = 'LoadBalancer', extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'shop', name, ...(extra.metadata as JsonObject | undefined) },
    spec: { type, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
    status: { loadBalancer: {} },
  };
}

/** Fixture is sample-controller's test fixture: fake API, real caches over it, and the reconciler. */
export interface Fixture {
  api: FakeApiClient;
  clock: FakeClock;
  binding: Binding;
  sources: Informer;
  claims: Informer;
  reconciler: Reconciler;
  /** settle lets watch events reach the caches. */
  settle(): Promise<void>;
  /** writesSince returns the writes made after mark (an index into api.writes). */
  writesSince(mark: number): string[];
  stop(): Promise<void>;
}

/** createFixture seeds objects, starts the caches and waits for them to sync. */
export async function createFixture(
  seed: { services?: JsonObject[]; claims?: JsonObject[]; client?: (api: FakeApiClient) => ApiClient } = {},
): Promise<Fixture> {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const logger = pino({ level: 'silent' });
  const binding = await loadShippedBinding();
  for (const s of seed.services ?? []) api.seed(SERVICES, s);
  for (const c of seed.claims ?? []) api.seed(CLAIMS, c);
  const sources = createInformer({ client: api, resource: SERVICES, clock, logger });
  const claims = createInformer({
    client: api,
    resource: CLAIMS,
    clock,
    logger,
    labelSelector: `${BINDING_LABEL}=${binding.name}`,
    indexers: claimIndexers,
  });
  sources.start();
  claims.start();
  await Promise.all([sources.synced(), claims.synced()]);
  const recorder = createEventRecorder({ client: api, clock, logger, component: 'portcullis-controller' });
  const reconciler = createReconciler({ binding, client: seed.client?.(api) ?? api, sources, claims, recorder, logger });
  const settle = (): Promise<void> => clock.advance(0);
  await settle();
  return {
    api,
    clock,
    binding,
    sources,
    claims,
    reconciler,
    settle,
    writesSince: (mark) =>
      api.writes
        .slice(mark)
        .map((w) => (w.resource === 'events' ? `${w.verb} event` : `${w.verb} ${w.resource}${w.subresource ? `/${w.subresource}` : ''} ${w.name}`)),
    async stop() {
      await Promise.all([sources.stop(), claims.stop()]);
    },
  };
}
