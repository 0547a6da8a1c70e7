import { createCelEnvironment } from '../../../src/cel/environment.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { compilePolicyDocuments } from '../../../src/policy/loader.js';
import type { PolicyRequest } from '../../../src/policy/outcome.js';
import { createPolicyEngine } from '../../../src/policy/policy-engine.js';
import type { PolicyEngine } from '../../../src/policy/policy-engine.js';
import { parseYamlDocuments } from '../../../src/kube/yaml-documents.js';

/** cel is one shared environment for the policy tests. */
export const cel = createCelEnvironment();

/** engineFrom compiles YAML policy text into an engine. */
export function engineFrom(yaml: string, file = 'test.yaml'): PolicyEngine {
  return createPolicyEngine(compilePolicyDocuments(parseYamlDocuments(yaml, file), { cel }).policies);
}

/** widget returns a Widget object with the given metadata and spec. */
export function widget(metadata: JsonObject = {}, spec: JsonObject = { image: 'nginx' }): JsonObject {
  return { apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'web', namespace: 'default', ...metadata }, spec };
}

/** requestFor builds a Widget admission request; object/oldObject default from the operation. */
export function requestFor(overrides: Partial<PolicyRequest> & { object?: JsonObject | null; oldObject?: JsonObject | null } = {}): PolicyRequest {
  const operation = overrides.operation ?? 'CREATE';
  return {
    uid: 'u1',
    kind: { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' },
    resource: { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' },
    namespace: 'default',
    userInfo: { username: 'ann', groups: ['system:authenticated'] },
    object: operation === 'DELETE' ? null : widget(),
    oldObject: operation === 'CREATE' ? null : widget(),
    ...overrides,
    operation,
  };
}

/** policy wraps match and body YAML (indented under spec) into a policy document. */
export function policy(name: string, body: string, match = 'resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]'): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: ${name}}
spec:
  match:
    ${match}
${body
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}
