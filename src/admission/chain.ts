import type { CrdRegistry } from '../schema/crd-registry.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import { createSchemaDefaulter, createSchemaValidator } from './schema-stages.js';
import type { AdmissionChain } from './stage.js';

/**
 * createAdmissionChain puts the stages in the server's order: schema defaults,
 * then policy mutations (so they see defaulted fields); schema validation,
 * then policy rules. Every way of running reviews (serve, review, test, the
 * playground) builds its chain here.
 */
export function createAdmissionChain(options: { crds: CrdRegistry; policies: PolicyEngine }): AdmissionChain {
  const { crds, policies } = options;
  return {
    mutators: [createSchemaDefaulter({ crds }), { name: 'policy-mutations', mutate: policies.mutate }],
    validators: [createSchemaValidator({ crds }), { name: 'policy-rules', validate: policies.validate }],
  };
}
