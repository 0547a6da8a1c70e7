import type { JsonValue } from '../kube/types.js';
import type { FieldError } from '../kube/field-error.js';
import type { FieldPath } from '../kube/field-path.js';
import type { Schema } from './structural.js';
import { addError, createValidationContext } from './validator-context.js';
import type { Check, ValidationContext } from './validator-context.js';

/*
 * anyOf, oneOf, allOf and not, as kube-openapi's schemaPropsValidator runs
 * them. Their own failures are composite errors, which the apiserver reports
 * with no field (`<nil>`) and an empty value, e.g.
 * `<nil>: Invalid value: "": "spec.x" must validate at least one schema (anyOf)`;
 * a failed anyOf/oneOf also reports the errors of the branch that matched
 * best (most schema nodes visited, the first on a tie).
 */

interface BranchResult {
  errors: FieldError[];
  matches: number;
}

function runBranch(check: Check, value: JsonValue, path: FieldPath, ctx: ValidationContext): BranchResult {
  const scratch = createValidationContext({ maxErrors: ctx.maxErrors, ratcheting: false });
  check(value, undefined, path, scratch);
  return { errors: scratch.errors, matches: scratch.matches };
}

function composite(path: FieldPath, message: string): FieldError {
  return { type: 'Invalid', field: '<nil>', badValue: '', detail: `${JSON.stringify(path.toString())} ${message}` };
}

function merge(ctx: ValidationContext, result: BranchResult): void {
  ctx.matches += result.matches;
  for (const e of result.errors) addError(ctx, e);
}

/** compileComposition returns the check of a node's anyOf/oneOf/allOf/not, or null when it has none. */
export function compileComposition(schema: Schema, compileSub: (sub: Schema) => Check): Check | null {
  const anyOf = schema.anyOf?.map(compileSub);
  const oneOf = schema.oneOf?.map(compileSub);
  const allOf = schema.allOf?.map(compileSub);
  const not = schema.not ? compileSub(schema.not) : undefined;
  if (!anyOf && !oneOf && !allOf && !not) return null;
  return (value, _old, path, ctx) => {
    if (anyOf && anyOf.length > 0) {
      let best: BranchResult | undefined;
      let ok: BranchResult | undefined;
      for (const branch of anyOf) {
        const r = runBranch(branch, value, path, ctx);
        if (r.errors.length === 0) {
          ok = r;
          break;
        }
        if (best === undefined || r.matches > best.matches) best = r;
      }
      if (ok) merge(ctx, ok);
      else {
        addError(ctx, composite(path, 'must validate at least one schema (anyOf)'));
        if (best) merge(ctx, best);
      }
    }
    if (oneOf && oneOf.length > 0) {
      let best: BranchResult | undefined;
      let first: BranchResult | undefined;
      let valid = 0;
      for (const branch of oneOf) {
        const r = runBranch(branch, value, path, ctx);
        if (r.errors.length === 0) {
          valid++;
          best = undefined;
          first ??= r;
          continue;
        }
        if (valid === 0 && (best === undefined || r.matches > best.matches)) best = r;
      }
      if (valid !== 1) {
        addError(ctx, composite(path, `must validate one and only one schema (oneOf). ${valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`}`));
        if (best) merge(ctx, best);
      } else if (first) merge(ctx, first);
    }
    if (allOf && allOf.length > 0) {
      let valid = 0;
      for (const branch of allOf) {
        const r = runBranch(branch, value, path, ctx);
        if (r.errors.length === 0) valid++;
        merge(ctx, r);
      }
      if (valid !== allOf.length) addError(ctx, composite(path, `must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
    }
    if (not) {
      const r = runBranch(not, value, path, ctx);
      if (r.errors.length === 0) addError(ctx, composite(path, 'must not validate the schema (not)'));
    }
  };
}
