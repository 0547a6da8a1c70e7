import type { JsonObject, JsonValue } from '../kube/types.js';

/** POLICY_API_VERSION is the apiVersion of every policy document. */
export const POLICY_API_VERSION = 'portcullis.dev/v1alpha1';
/** POLICY_KIND is the kind of an admission policy document. */
export const POLICY_KIND = 'AdmissionPolicy';
/** POLICY_TEST_KIND is the kind of a policy test suite document. */
export const POLICY_TEST_KIND = 'PolicyTest';

/** PolicyAction is what a rule does when it finds a problem. */
export type PolicyAction = 'Deny' | 'Warn' | 'Audit';

/** NameSet names things by exact name or by RE2 pattern (anchored by the user, e.g. `^team-.*$`). */
export interface NameSet {
  names?: string[];
  patterns?: string[];
}

/** UserSet names users by username and by group. */
export interface UserSet {
  usernames?: string[];
  groups?: string[];
}

/** LabelSelectorSpec is metav1.LabelSelector. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** ResourceMatch names kinds or resources; `*` matches anything; an omitted list matches anything. */
export interface ResourceMatch {
  apiGroups: string[];
  apiVersions?: string[];
  kinds?: string[];
  resources?: string[];
}

/** MatchSpec says which requests a policy applies to; every given criterion must hold. */
export interface MatchSpec {
  resources: ResourceMatch[];
  operations?: string[];
  subresources?: string[];
  namespaces?: NameSet;
  excludeNamespaces?: NameSet;
  objectSelector?: LabelSelectorSpec;
  users?: UserSet;
  excludeUsers?: UserSet;
  condition?: string;
}

/** KeyRequirement is one required label or annotation, with an optional value pattern. */
export interface KeyRequirement {
  key: string;
  pattern?: string;
}

/** MetadataRuleSpec constrains object metadata. */
export interface MetadataRuleSpec {
  name?: { pattern?: string; maxLength?: number };
  labels?: { required?: KeyRequirement[]; forbidden?: string[] };
  annotations?: { required?: KeyRequirement[]; forbidden?: string[] };
  finalizers?: { allowed: string[] };
  ownerReferences?: { requiredKinds: string[] };
}

/** ImmutableFieldSpec is one field that may not change on UPDATE (or, with onceSet, once it has a value). */
export interface ImmutableFieldSpec {
  path: string;
  onceSet?: boolean;
}

/** CelRuleSpec is a CEL expression that must evaluate to true. */
export interface CelRuleSpec {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: 'Invalid' | 'Forbidden';
  fieldPath?: string;
  /** operations the rule judges; default CREATE and UPDATE. */
  operations?: string[];
}

/** DeleteProtectionSpec denies DELETE while an annotation or label is set (to a value, if given). */
export interface DeleteProtectionSpec {
  annotation?: string;
  label?: string;
  value?: string;
}

/** RuleSpec is one rule of a policy; exactly one of the check fields is set. */
export interface RuleSpec {
  name: string;
  action?: PolicyAction;
  message?: string;
  auditKey?: string;
  metadata?: MetadataRuleSpec;
  immutable?: ImmutableFieldSpec[];
  schema?: JsonObject;
  cel?: CelRuleSpec;
  deleteProtection?: DeleteProtectionSpec;
}

/** DefaultSpec sets a field when it is absent: to a constant value or to a CEL expression's result. */
export interface DefaultSpec {
  path: string;
  value?: JsonValue;
  expression?: string;
}

/** MutationSpec is one mutation of a policy. */
export interface MutationSpec {
  name: string;
  createOnly?: boolean;
  defaults?: DefaultSpec[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** PolicyDocument is an AdmissionPolicy as written in YAML (after schema validation). */
export interface PolicyDocument {
  apiVersion: typeof POLICY_API_VERSION;
  kind: typeof POLICY_KIND;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    description?: string;
    match: MatchSpec;
    rules?: RuleSpec[];
    mutations?: MutationSpec[];
  };
}
