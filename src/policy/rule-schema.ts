import type { JsonObject } from '../kube/types.js';
import { compileValidator } from '../schema/compile-validator.js';
import type { Schema } from '../schema/structural.js';
import { atField } from './compile-error.js';
import type { CompiledRule } from './compiled-rule.js';
import { WRITE_OPERATIONS } from './compiled-rule.js';
import type { EvalContext } from './eval-context.js';
import type { RuleIdentity } from './findings.js';
import type { Finding } from './outcome.js';

/** MAX_SCHEMA_ERRORS bounds the errors one schema rule reports per request. */
export const MAX_SCHEMA_ERRORS = 20;

/**
 * compileSchemaRule compiles an extra OpenAPI v3 fragment with the CRD
 * validator (RE2 patterns, apiserver-style messages), judged on CREATE and
 * UPDATE against the whole object. On UPDATE values equal to the old
 * object's are not re-judged (ratcheting, as the apiserver does for CRD
 * schemas), so a new policy does not block unrelated edits of old objects.
 * Root `metadata` is left to metadata rules, as in CRD schemas.
 */
export function compileSchemaRule(id: RuleIdentity, schema: JsonObject, at: string): CompiledRule {
  const validator = atField(at, () => compileValidator(schema as unknown as Schema));
  return {
    id,
    operations: WRITE_OPERATIONS,
    check(ctx: EvalContext): Finding[] {
      if (ctx.object === null) return [];
      const oldObject = ctx.request.operation === 'UPDATE' ? ctx.oldObject : null;
      const result = validator.validate(ctx.object, { oldObject, maxErrors: MAX_SCHEMA_ERRORS });
      return result.errors.map((error) => ({ kind: 'field' as const, error }));
    },
  };
}
