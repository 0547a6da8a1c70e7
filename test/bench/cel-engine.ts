/**
 * Measures what x-kubernetes-validations cost per validation with the CEL
 * engine of a source tree: a small CRD (4 rules) and a Gateway API
 * HTTPRoute (8 route rules, defaulted as the apiserver would have them),
 * in-process through compileValidator with the Kubernetes extensions, with
 * the time to load the first schema (the engine's start-up when it is the
 * WebAssembly one) and the process's RSS afterwards. Give --tree to measure
 * another checkout (e.g. the commit before the engine changed) for the
 * before/after figures in docs/cel.md.
 * Run: node --import tsx test/bench/cel-engine.ts [--tree /path/to/checkout] [--iterations N]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';

interface Validator {
  validate(object: unknown): { errors: unknown[] };
}

const { values } = parseArgs({ options: { tree: { type: 'string' }, iterations: { type: 'string', default: '300' } } });
const tree = path.resolve(values.tree ?? path.join(import.meta.dirname, '../..'));
const iterations = Number(values.iterations);

const { compileValidator } = (await import(path.join(tree, 'src/schema/compile-validator.ts'))) as { compileValidator: (s: unknown, o: unknown) => Validator };
const { createKubernetesExtensions } = (await import(path.join(tree, 'src/schema/kubernetes-extensions.ts'))) as { createKubernetesExtensions: () => unknown };

const small = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.replicas <= self.max', message: 'too many' }, { rule: "self.name.startsWith('a')" }, { rule: 'self.replicas >= 0' }],
      properties: { replicas: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string', maxLength: 10 }, items: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self != "x"' }] } } },
    },
  },
};
const smallObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' }, spec: { replicas: 2, max: 3, name: 'abob', items: ['a', 'b'] } };

const crdFile = path.join(import.meta.dirname, '../fixtures/real-world-crds/gateway-api/httproutes.yaml');
const crd = parseAllDocuments(readFileSync(crdFile, 'utf8')).map((d) => d.toJSON() as { kind?: string; spec: { versions: { name: string; storage: boolean; schema: { openAPIV3Schema: unknown } }[] } }).find((d) => d?.kind === 'CustomResourceDefinition');
const routeSchema = crd?.spec.versions.find((v) => v.storage)?.schema.openAPIV3Schema;
const routeRule = {
  matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ type: 'Exact', name: 'x', value: 'y' }] }],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } }],
  backendRefs: [{ group: '', kind: 'Service', name: 'svc', port: 80, weight: 1 }],
};
const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'd' }, spec: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }], hostnames: ['a.example.com'], rules: Array.from({ length: 8 }, () => routeRule) } };

function measure(name: string, schema: unknown, object: unknown): void {
  let started = performance.now();
  const withRules = compileValidator(schema, { extensions: createKubernetesExtensions() });
  const loadMs = performance.now() - started;
  const bare = compileValidator(schema, { extensions: [] });
  const errors = withRules.validate(object).errors.length;
  const timeOf = (v: Validator) => {
    for (let i = 0; i < Math.min(50, iterations); i++) v.validate(structuredClone(object));
    started = performance.now();
    for (let i = 0; i < iterations; i++) v.validate(structuredClone(object));
    return ((performance.now() - started) / iterations) * 1000;
  };
  const rules = timeOf(withRules);
  const schemaOnly = timeOf(bare);
  console.log(`${name}: load ${loadMs.toFixed(0)} ms; per validation ${rules.toFixed(0)} µs with the Kubernetes extensions, ${schemaOnly.toFixed(0)} µs schema only; ${errors} errors`);
}

console.log(`tree ${tree}, ${iterations} iterations, node ${process.version}, loadavg ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const rss0 = process.memoryUsage().rss;
measure('small CRD (4 rules)', small, smallObject);
measure('HTTPRoute (8 route rules)', routeSchema, route);
console.log(`RSS ${(rss0 / 1e6).toFixed(0)} MB before, ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB after`);
process.exit(0);
