import type { CelEnvironment } from '../cel/environment.js';
import { atField, PolicyCompileError } from './compile-error.js';
import { compileMatch } from './compile-match.js';
import type { CompiledMatch } from './compile-match.js';
import type { CompiledRule } from './compiled-rule.js';
import { isValidAuditKey } from './findings.js';
import type { RuleIdentity } from './findings.js';
import { compileMutation } from './mutation.js';
import type { CompiledMutation } from './mutation.js';
import { compileCelRule } from './rule-cel.js';
import { compileDeleteProtectionRule } from './rule-delete.js';
import { compileImmutableRule } from './rule-immutable.js';
import { compileMetadataRule } from './rule-metadata.js';
import { compileSchemaRule } from './rule-schema.js';
import type { PolicyDocument, RuleSpec } from './types.js';

/** CompiledPolicy is one AdmissionPolicy, compiled once at load. */
export interface CompiledPolicy {
  readonly name: string;
  /** order is the load position; evaluation follows it, so results are deterministic. */
  readonly order: number;
  readonly match: CompiledMatch;
  readonly rules: readonly CompiledRule[];
  readonly mutations: readonly CompiledMutation[];
}

function identity(policy: string, rule: RuleSpec, at: string): RuleIdentity {
  const auditKey = rule.auditKey ?? `${policy}.${rule.name}`;
  if (!isValidAuditKey(auditKey)) {
    throw new PolicyCompileError(`${at}.auditKey`, `audit key ${JSON.stringify(auditKey)} (policy name + "." + rule name) is not a valid annotation key of at most 63 characters: set auditKey`);
  }
  return { policy, rule: rule.name, action: rule.action ?? 'Deny', auditKey, message: rule.message };
}

function compileRule(policy: string, rule: RuleSpec, cel: CelEnvironment, at: string): CompiledRule {
  const id = identity(policy, rule, at);
  if (rule.metadata) return compileMetadataRule(id, rule.metadata, `${at}.metadata`);
  if (rule.immutable) return compileImmutableRule(id, rule.immutable, `${at}.immutable`);
  if (rule.schema) return compileSchemaRule(id, rule.schema, `${at}.schema`);
  if (rule.cel) return compileCelRule(id, rule.cel, cel, `${at}.cel`);
  if (rule.deleteProtection) return compileDeleteProtectionRule(id, rule.deleteProtection);
  throw new PolicyCompileError(at, 'rule has no check');
}

function checkUnique(names: readonly string[], at: string, what: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw new PolicyCompileError(`${at}[${i}].name`, `duplicate ${what} name ${JSON.stringify(name)}`);
    seen.add(name);
  });
}

/**
 * compilePolicy compiles a schema-checked policy document: match, rules
 * and mutations. Every pattern, CEL expression, schema fragment and field
 * path is compiled here, so a bad one fails the load (PolicyCompileError
 * with the field to blame), never a request.
 */
export function compilePolicy(doc: PolicyDocument, options: { cel: CelEnvironment; order: number }): CompiledPolicy {
  const name = doc.metadata.name;
  const rules = doc.spec.rules ?? [];
  const mutations = doc.spec.mutations ?? [];
  checkUnique(rules.map((r) => r.name), 'spec.rules', 'rule');
  checkUnique(mutations.map((m) => m.name), 'spec.mutations', 'mutation');
  return {
    name,
    order: options.order,
    match: compileMatch(doc.spec.match, options.cel),
    rules: rules.map((rule, i) => compileRule(name, rule, options.cel, `spec.rules[${i}]`)),
    mutations: mutations.map((m, i) => atField(`spec.mutations[${i}]`, () => compileMutation(name, m, options.cel, `spec.mutations[${i}]`))),
  };
}
