import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { compileRe2 } from '../kube/re2.js';
import type { Re2Pattern } from '../kube/re2.js';
import { atField } from './compile-error.js';
import type { CompiledRule } from './compiled-rule.js';
import { WRITE_OPERATIONS } from './compiled-rule.js';
import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import { displayPath } from '../kube/object-path.js';
import { metadataOf, stringMapOf } from '../kube/object-meta.js';
import type { Finding } from './outcome.js';
import type { KeyRequirement, MetadataRuleSpec } from './types.js';

type Check = (object: JsonObject, out: Finding[]) => void;

function field(error: Finding & { kind: 'field' }): Finding {
  return error;
}

function compileKeyRules(spec: NonNullable<MetadataRuleSpec['labels']>, kind: 'labels' | 'annotations', at: string): Check {
  const noun = kind === 'labels' ? 'label' : 'annotation';
  const required = (spec.required ?? []).map((r: KeyRequirement, i) => ({
    key: r.key,
    path: displayPath(['metadata', kind, r.key]),
    pattern: r.pattern === undefined ? undefined : atField(`${at}.required[${i}].pattern`, () => compileRe2(r.pattern as string)),
  }));
  const forbidden = spec.forbidden ?? [];
  return (object, out) => {
    const map = stringMapOf(object, kind);
    for (const { key, path, pattern } of required) {
      if (!Object.prototype.hasOwnProperty.call(map, key)) {
        out.push(field({ kind: 'field', error: { type: 'Required', field: path, detail: `${noun} ${JSON.stringify(key)} is required` } }));
      } else if (pattern && !pattern.test(map[key] as string)) {
        out.push(field({ kind: 'field', error: { type: 'Invalid', field: path, badValue: map[key] as string, detail: `must match ${pattern.source}` } }));
      }
    }
    for (const key of forbidden) {
      if (Object.prototype.hasOwnProperty.call(map, key)) {
        out.push(field({ kind: 'field', error: { type: 'Forbidden', field: displayPath(['metadata', kind, key]), detail: `${noun} ${JSON.stringify(key)} is not allowed` } }));
      }
    }
  };
}

function compileName(spec: NonNullable<MetadataRuleSpec['name']>, at: string): Check {
  const pattern: Re2Pattern | undefined = spec.pattern === undefined ? undefined : atField(`${at}.pattern`, () => compileRe2(spec.pattern as string));
  return (object, out) => {
    const name = metadataOf(object)['name'];
    // With generateName the apiserver picks the name after admission: nothing to judge yet.
    if (typeof name !== 'string' || name === '') return;
    if (spec.maxLength !== undefined && Array.from(name).length > spec.maxLength) {
      out.push({ kind: 'field', error: { type: 'TooLong', field: 'metadata.name', detail: `must have at most ${spec.maxLength} characters` } });
    }
    if (pattern && !pattern.test(name)) {
      out.push({ kind: 'field', error: { type: 'Invalid', field: 'metadata.name', badValue: name, detail: `must match ${pattern.source}` } });
    }
  };
}

function compileFinalizers(allowed: readonly string[]): Check {
  const set = new Set(allowed);
  return (object, out) => {
    const finalizers = metadataOf(object)['finalizers'];
    if (!Array.isArray(finalizers)) return;
    finalizers.forEach((f: JsonValue, i) => {
      if (typeof f === 'string' && !set.has(f)) {
        const detail = allowed.length === 0 ? 'no finalizers are allowed' : `allowed finalizers: ${allowed.join(', ')}`;
        out.push({ kind: 'field', error: { type: 'NotSupported', field: `metadata.finalizers[${i}]`, badValue: f, detail } });
      }
    });
  };
}

function compileOwnerKinds(kinds: readonly string[]): Check {
  const set = new Set(kinds);
  return (object, out) => {
    const refs = metadataOf(object)['ownerReferences'];
    const found = Array.isArray(refs) && refs.some((r) => isJsonObject(r) && typeof r['kind'] === 'string' && set.has(r['kind']));
    if (!found) {
      out.push({ kind: 'field', error: { type: 'Required', field: 'metadata.ownerReferences', detail: `an owner reference of kind ${kinds.join(' or ')} is required` } });
    }
  };
}

/**
 * compileMetadataRule compiles a metadata rule (CREATE and UPDATE): name
 * pattern and length, required labels/annotations with optional value
 * patterns, forbidden labels/annotations, allowed finalizers and required
 * owner reference kinds. Patterns use RE2 and match anywhere unless anchored.
 */
export function compileMetadataRule(id: RuleIdentity, spec: MetadataRuleSpec, at: string): CompiledRule {
  const checks: Check[] = [];
  if (spec.name) checks.push(compileName(spec.name, `${at}.name`));
  if (spec.labels) checks.push(compileKeyRules(spec.labels, 'labels', `${at}.labels`));
  if (spec.annotations) checks.push(compileKeyRules(spec.annotations, 'annotations', `${at}.annotations`));
  if (spec.finalizers) checks.push(compileFinalizers(spec.finalizers.allowed));
  if (spec.ownerReferences) checks.push(compileOwnerKinds(spec.ownerReferences.requiredKinds));
  return {
    id,
    operations: WRITE_OPERATIONS,
    check(ctx: EvalContext): Finding[] {
      const out: Finding[] = [];
      if (ctx.object === null) return out;
      for (const check of checks) check(ctx.object, out);
      return out;
    },
  };
}
