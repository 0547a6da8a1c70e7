/**
 * Measures what loaded-but-unrelated policies cost per admission review:
 * 10 policies that match a Widget, alone and among 990 policies for other
 * kinds. Run: node --import tsx test/bench/policy-scale.ts
 */
import { createMutateHandler } from '../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../src/admission/review.js';
import { createCelEnvironment } from '../../src/cel/environment.js';
import { compilePolicyDocuments } from '../../src/policy/loader.js';
import { createEvalContext } from '../../src/policy/eval-context.js';
import { createPolicyEngine } from '../../src/policy/policy-engine.js';
import { createPolicyIndex } from '../../src/policy/policy-index.js';
import type { CompiledPolicy } from '../../src/policy/compile-policy.js';
import { parseYamlDocuments } from '../../src/kube/yaml-documents.js';

function policyYaml(name: string, group: string, kind: string): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: ${name}}
spec:
  match:
    resources: [{apiGroups: [${group}], kinds: [${kind}]}]
    namespaces: {patterns: ['^team-']}
  mutations:
    - name: m
      labels: {example.com/${name}: "yes"}
  rules:
    - name: labels
      metadata: {labels: {required: [{key: team, pattern: '^[a-z]+$'}]}}
    - name: replicas
      cel: {expression: '!has(object.spec.replicas) || object.spec.replicas <= 5', fieldPath: spec.replicas}
`;
}

function build(total: number) {
  const docs: string[] = [];
  for (let i = 0; i < 10; i++) docs.push(policyYaml(`widget-${i}`, 'demo.portcullis.dev', 'Widget'));
  for (let i = 10; i < total; i++) docs.push(policyYaml(`other-${i}`, `g${i % 50}.example.com`, `Kind${i}`));
  const cel = createCelEnvironment();
  const started = performance.now();
  const { policies } = compilePolicyDocuments(parseYamlDocuments(docs.join('---\n'), 'bench.yaml'), { cel });
  const compileMs = performance.now() - started;
  const engine = createPolicyEngine(policies);
  const chain = { mutators: [{ name: 'p', mutate: engine.mutate }], validators: [{ name: 'p', validate: engine.validate }] };
  return { handler: createMutateHandler({ chain: () => chain }), compileMs, policies };
}

const request: AdmissionRequest = {
  uid: 'u',
  kind: { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' },
  resource: { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' },
  namespace: 'team-a',
  operation: 'CREATE',
  userInfo: { username: 'ann' },
  object: { apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team-a', labels: { team: 'web' } }, spec: { image: 'nginx', replicas: 3 } },
  oldObject: null,
};

function perReviewMicros(handler: (r: AdmissionRequest) => { allowed: boolean }, iterations: number): number {
  for (let i = 0; i < 2000; i++) handler(request);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) if (!handler(request).allowed) throw new Error('unexpected denial');
  return ((performance.now() - started) * 1000) / iterations;
}

// Both configurations stay loaded and are measured in turns (A B A B ...), so
// that machine noise and GC state hit both alike.
const configs = [10, 1000].map((total) => ({ total, ...build(total), samples: [] as number[] }));
for (let round = 0; round < 5; round++) for (const c of configs) c.samples.push(perReviewMicros(c.handler, 20_000));
for (const c of configs) {
  const sorted = [...c.samples].sort((a, b) => a - b);
  console.log(`${String(c.total).padStart(5)} policies loaded (10 match): compile ${c.compileMs.toFixed(0)} ms, median ${sorted[2]!.toFixed(1)} µs per review (min ${sorted[0]!.toFixed(1)}, 5 rounds of 20,000)`);
}

// What the index saves: finding the 10 matching policies among 1,000 through the index, versus
// running every policy's match (what a plain list would cost).
const all: readonly CompiledPolicy[] = configs[1]!.policies;
const index = createPolicyIndex(all);
const ctx = createEvalContext(request, request.object);
const time = (fn: () => number, n: number) => {
  const started = performance.now();
  let found = 0;
  for (let i = 0; i < n; i++) found += fn();
  return { micros: ((performance.now() - started) * 1000) / n, found: found / n };
};
const indexed = time(() => index.candidates(request).filter((p) => p.match.matches(ctx)).length, 20_000);
const linear = time(() => all.filter((p) => p.match.matches(ctx)).length, 2_000);
console.log(`finding the ${indexed.found} matching of 1000: index ${indexed.micros.toFixed(1)} µs, full scan ${linear.micros.toFixed(1)} µs (found ${linear.found})`);
