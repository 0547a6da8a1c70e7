import type { CelEnvironment } from '../cel/environment.js';
import { compileRe2 } from '../kube/re2.js';
import { atField } from './compile-error.js';
import type { EvalContext } from './eval-context.js';
import { compileLabelSelector } from './label-selector.js';
import { stringMapOf } from '../kube/object-meta.js';
import type { MatchSpec, NameSet, ResourceMatch, UserSet } from './types.js';

/** CompiledMatch decides whether a policy applies to a request. */
export interface CompiledMatch {
  readonly resources: readonly ResourceMatch[];
  /**
   * namespaceNames lists the only namespaces the policy applies to, when its
   * `namespaces` names them and has no patterns (the index files it under
   * each); undefined when it may apply in any namespace.
   */
  readonly namespaceNames?: readonly string[];
  /** matches runs every criterion, the CEL condition last. */
  matches(ctx: EvalContext): boolean;
}

const DEFAULT_OPERATIONS = ['CREATE', 'UPDATE'];

function anyOrIncludes(list: readonly string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

/** resourceMatches tells whether one resource matcher covers the request's kind and resource. */
export function resourceMatches(match: ResourceMatch, ctx: EvalContext): boolean {
  const { kind, resource } = ctx.request;
  return (
    anyOrIncludes(match.apiGroups, kind.group) &&
    anyOrIncludes(match.apiVersions, kind.version) &&
    anyOrIncludes(match.kinds, kind.kind) &&
    anyOrIncludes(match.resources, resource.resource)
  );
}

function compileNameSet(set: NameSet, field: string): (name: string) => boolean {
  const names = new Set(set.names ?? []);
  const patterns = (set.patterns ?? []).map((p, i) => atField(`${field}.patterns[${i}]`, () => compileRe2(p)));
  return (name) => names.has(name) || patterns.some((p) => p.test(name));
}

function compileUserSet(set: UserSet): (ctx: EvalContext) => boolean {
  const usernames = new Set(set.usernames ?? []);
  const groups = new Set(set.groups ?? []);
  return (ctx) => {
    const user = ctx.request.userInfo;
    return usernames.has(user.username ?? '') || (user.groups ?? []).some((g) => groups.has(g));
  };
}

/**
 * compileMatch compiles a policy's match block. Namespaces filter namespaced
 * requests only (cluster-scoped objects have no namespace to match, as with
 * a webhook's namespaceSelector); the object selector matches the labels of
 * the object or, on DELETE, of the old object; users and excludeUsers read
 * request.userInfo; the CEL condition sees object, oldObject and request
 * and, when it fails to evaluate, the policy applies (fail closed).
 */
export function compileMatch(spec: MatchSpec, cel: CelEnvironment, field = 'spec.match'): CompiledMatch {
  const operations = new Set(spec.operations ?? DEFAULT_OPERATIONS);
  const allOperations = operations.has('*');
  const subresources = new Set(spec.subresources ?? ['']);
  const allSubresources = subresources.has('*');
  const checks: Array<(ctx: EvalContext) => boolean> = [];
  checks.push((ctx) => allOperations || operations.has(ctx.request.operation));
  checks.push((ctx) => allSubresources || subresources.has(ctx.request.subResource ?? ''));
  checks.push((ctx) => spec.resources.some((r) => resourceMatches(r, ctx)));
  if (spec.namespaces) {
    const inSet = compileNameSet(spec.namespaces, `${field}.namespaces`);
    checks.push((ctx) => !ctx.request.namespace || inSet(ctx.request.namespace));
  }
  if (spec.excludeNamespaces) {
    const inSet = compileNameSet(spec.excludeNamespaces, `${field}.excludeNamespaces`);
    checks.push((ctx) => !ctx.request.namespace || !inSet(ctx.request.namespace));
  }
  if (spec.objectSelector) {
    const selector = atField(`${field}.objectSelector`, () => compileLabelSelector(spec.objectSelector!));
    checks.push((ctx) => selector(stringMapOf(ctx.object ?? ctx.oldObject, 'labels')));
  }
  if (spec.users) {
    const inSet = compileUserSet(spec.users);
    checks.push(inSet);
  }
  if (spec.excludeUsers) {
    const inSet = compileUserSet(spec.excludeUsers);
    checks.push((ctx) => !inSet(ctx));
  }
  if (spec.condition !== undefined) {
    const program = atField(`${field}.condition`, () => cel.compile(spec.condition!, { resultType: 'bool' }));
    checks.push((ctx) => {
      const input = ctx.cel();
      try {
        return program.evaluateConverted(input.values, input.stats) === true;
      } catch {
        return true;
      }
    });
  }
  const namespaceNames = spec.namespaces?.names !== undefined && (spec.namespaces.patterns ?? []).length === 0 ? spec.namespaces.names : undefined;
  return { resources: spec.resources, namespaceNames, matches: (ctx) => checks.every((check) => check(ctx)) };
}
