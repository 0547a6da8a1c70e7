import { randomUUID } from 'node:crypto';

/*
 * Request bodies of the benchmark scenarios. Every body is built once, before
 * any load, and sent unchanged by every connection: the server under test and
 * the bare server get byte-identical requests.
 */

/** WIDGET_GVK is the kind the shipped example CRD (manifests/crds/widgets.yaml) serves. */
export const WIDGET_GVK = { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' } as const;

const WIDGET_GVR = { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' } as const;

/** admissionReview wraps an object in a CREATE AdmissionReview (admission.k8s.io/v1) as the apiserver sends it. */
export function admissionReview(object: Record<string, unknown>, uid: string = randomUUID()): Record<string, unknown> {
  const metadata = object['metadata'] as { name?: string; namespace?: string };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: WIDGET_GVK,
      resource: WIDGET_GVR,
      requestKind: WIDGET_GVK,
      requestResource: WIDGET_GVR,
      name: metadata.name,
      namespace: metadata.namespace,
      operation: 'CREATE',
      userInfo: { username: 'bench@example.com', uid: 'b3c1f7d2-0000-4000-8000-000000000001', groups: ['system:authenticated', 'team-bench'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
    },
  };
}

/**
 * typicalWidget returns a valid, fully specified Widget of about 2.5 KB in the
 * review (labels, annotations, five hooks, resources): every schema keyword
 * of the CRD is exercised and nothing needs a default.
 */
export function typicalWidget(name = 'bench-web'): Record<string, unknown> {
  return {
    apiVersion: 'demo.portcullis.dev/v1',
    kind: 'Widget',
    metadata: {
      name,
      namespace: 'team-web',
      uid: '0b7c3f5e-4d1e-4c59-8d7a-3b2a1c0d9e8f',
      creationTimestamp: '2026-11-27T09:00:00Z',
      labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'storefront', team: 'web', env: 'production' },
      annotations: { 'portcullis.dev/owner': 'team-web@example.com', 'portcullis.dev/ticket': 'OPS-1234' },
    },
    spec: {
      image: 'registry.example.com/storefront/web:1.4.2',
      replicas: 3,
      tier: 'frontend',
      owner: 'team-web',
      resources: { cpu: '250m', memoryMiB: 512 },
      hooks: ['notify', 'audit', 'cache-purge', 'search-index', 'billing'].map((hook, i) => ({
        name: hook,
        url: `https://hooks.example.com/widgets/${hook}?tenant=storefront&region=eu-west-${i + 1}`,
        timeoutSeconds: 10 + i,
        events: ['create', 'update', 'delete'],
      })),
      labels: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`feature-${i}`, `enabled-for-cohort-${i}`])),
      paused: false,
      notes: 'Storefront web tier; scaled by the storefront team. See the runbook before changing replicas or hooks.',
    },
  };
}

/** widgetNeedingDefaults returns a valid Widget that leaves replicas, tier, resources, paused and hook timeouts to the schema defaults. */
export function widgetNeedingDefaults(name = 'bench-minimal'): Record<string, unknown> {
  const widget = typicalWidget(name);
  const spec = widget['spec'] as Record<string, unknown>;
  for (const field of ['replicas', 'tier', 'resources', 'paused']) delete spec[field];
  spec['hooks'] = (spec['hooks'] as Record<string, unknown>[]).map(({ timeoutSeconds: _t, ...hook }) => hook);
  return widget;
}

/**
 * invalidWidget returns a Widget with six schema errors, one cause each: an
 * image against the pattern, replicas over the maximum, a tier outside the
 * enum, a cpu against its pattern, a hook timeout over the maximum and a
 * hook event outside the enum.
 */
export function invalidWidget(name = 'bench-invalid'): Record<string, unknown> {
  const widget = typicalWidget(name);
  const spec = widget['spec'] as Record<string, any>;
  spec['image'] = 'Registry.example.com/UPPER:1.0';
  spec['replicas'] = 20;
  spec['tier'] = 'edge';
  spec['resources'] = { cpu: 'lots', memoryMiB: 512 };
  spec['hooks'][0].timeoutSeconds = 99;
  spec['hooks'][1].events = ['explode'];
  return widget;
}

/**
 * largeWidget returns a valid Widget of about `bytes` bytes: spec.labels
 * (validated by the schema: additionalProperties string, maxLength 63) holds
 * most of it, as a big but legal object would.
 */
export function largeWidget(bytes = 1024 * 1024, name = 'bench-large'): Record<string, unknown> {
  const widget = typicalWidget(name);
  const labels: Record<string, string> = {};
  const value = 'v'.repeat(60);
  const per = `"label-000000":"${value}",`.length;
  const count = Math.ceil(bytes / per);
  for (let i = 0; i < count; i++) labels[`label-${String(i).padStart(6, '0')}`] = value;
  (widget['spec'] as Record<string, unknown>)['labels'] = labels;
  return widget;
}

/** bodyOf serializes a payload once. */
export function bodyOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/**
 * conversionReview returns a ConversionReview (apiextensions.k8s.io/v1) of
 * `count` CronTabs in example.com/v1beta1 (the shipped conversion in
 * policies/conversions/crontabs.yaml) to convert to example.com/v1, each
 * with a `hostPort` the converter splits into host and port.
 */
export function conversionReview(count = 1000, uid: string = randomUUID()): Record<string, unknown> {
  const objects = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'example.com/v1beta1',
    kind: 'CronTab',
    metadata: {
      name: `crontab-${i}`,
      namespace: 'default',
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: '2026-11-27T09:00:00Z',
      labels: { app: 'cron', shard: String(i % 16) },
    },
    spec: { cronSpec: '*/5 * * * *', image: 'registry.example.com/cron:1.0', replicas: 1 },
    hostPort: `host-${i}.example.com:${1024 + (i % 50000)}`,
  }));
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid, desiredAPIVersion: 'example.com/v1', objects } };
}

/**
 * policyDocuments returns `count` AdmissionPolicy YAML documents. Exactly
 * `applying` of them (10 by default) apply to a Widget CREATE in namespace
 * team-web (label, CEL and pattern rules the typical Widget passes); of the
 * rest, two thirds target other kinds in other groups and one third targets
 * Widgets in other namespaces — so 10 and 1,000 policies do the same work for
 * the review and differ only in what the engine must skip.
 */
export function policyDocuments(count: number, applying = 10): string[] {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `bench-policy-${String(i).padStart(4, '0')}`;
    let match: string;
    if (i < applying) match = `    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]\n    operations: [CREATE, UPDATE]`;
    else if (i % 3 === 0) match = `    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]\n    namespaces: {names: [other-team-${i}]}`;
    else match = `    resources: [{apiGroups: [bench-${i % 97}.example.com], kinds: [Kind${i}]}]`;
    const rule =
      i % 2 === 0
        ? `    - name: team-label\n      metadata:\n        labels:\n          required:\n            - key: team\n              pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$'`
        : `    - name: replicas-cap\n      cel:\n        expression: '!has(object.spec.replicas) || object.spec.replicas <= ${5 + (i % 5)}'\n        message: too many replicas`;
    docs.push(`apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata:\n  name: ${name}\nspec:\n  match:\n${match}\n  rules:\n${rule}\n`);
  }
  return docs;
}
