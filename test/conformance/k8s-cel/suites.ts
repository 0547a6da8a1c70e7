/**
 * Each Kubernetes test table, read as its Go test reads it, becomes cases
 * replayed through Portcullis (harness.ts). A case agrees, disagrees (with
 * what Portcullis did), or is not replayable as a CRD and a review (with the
 * reason: e.g. the apiserver itself refuses the CRD the test's schema would
 * need, or the test sets an internal budget no user can set).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../../../src/kube/types.js';
import type { Schema } from '../../../src/schema/structural.js';
import { atSpec, fromDump, loadCase, schemaOf } from './harness.js';
import type { Loaded } from './harness.js';

/** Result is one case's outcome. */
export type Result = { agree: true } | { agree: false; why: string } | { na: string };

/** Case is one replayed test case. */
export interface Case {
  id: string;
  run(): Result;
}

/** Suite is one Kubernetes test table as cases. */
export interface Suite {
  name: string;
  source: string;
  cases: Case[];
}

type Raw = Record<string, unknown>;
const RAW = path.resolve(import.meta.dirname, '../../fixtures/k8s-cel/raw');

function table(test: string): { source: string; cases: Raw[] } {
  const doc = JSON.parse(readFileSync(path.join(RAW, `${test}.json`), 'utf8')) as { source: string; cases: Raw[] };
  return doc;
}

const AGREE: Result = { agree: true };
const disagree = (why: string): Result => ({ agree: false, why: why.slice(0, 600) });

/** refusal classifies a CRD that did not load: the apiserver's own refusal (not replayable) or Portcullis' (a disagreement). */
function refusal(loaded: { refused: string }, expectation: string): Result {
  if (/x-kubernetes-validations/.test(loaded.refused)) return { na: `the apiserver refuses the CRD this test's schema needs (${expectation}): ${loaded.refused.slice(0, 300)}` };
  return disagree(`Portcullis refused the CRD: ${loaded.refused}`);
}

function withRules(schema: Schema, rules: Schema['x-kubernetes-validations']): Schema {
  return { ...schema, 'x-kubernetes-validations': rules };
}

const cache = new Map<string, Loaded>();
function load(schema: Schema, isRoot: boolean): Loaded {
  const key = `${isRoot}:${JSON.stringify(schema)}`;
  let loaded = cache.get(key);
  if (loaded === undefined) {
    loaded = loadCase(schema, isRoot);
    cache.set(key, loaded);
    if (cache.size > 64) cache.delete(cache.keys().next().value as string);
  }
  return loaded;
}

function expectAllowed(schema: Schema, isRoot: boolean, obj: JsonValue, old: JsonValue | undefined): Result {
  const loaded = load(schema, isRoot);
  if ('refused' in loaded) return refusal(loaded, 'expected valid');
  const verdict = loaded.review(obj, old);
  if (verdict.allowed) return AGREE;
  return invalidWithoutRules(schema, isRoot, obj, old) ?? disagree(`denied: ${verdict.message}`);
}

function expectDenied(schema: Schema, isRoot: boolean, obj: JsonValue, old: JsonValue | undefined, contains: (message: string) => boolean, want: string): Result {
  const loaded = load(schema, isRoot);
  // The test's validator reports a rule that does not compile when it validates; the apiserver refuses the CRD with that error.
  if ('refused' in loaded) return contains(loaded.refused) ? AGREE : refusal(loaded, `expected an error containing ${want}`);
  const verdict = loaded.review(obj, old);
  if (verdict.allowed) return disagree(`allowed; expected an error containing ${want}`);
  if (contains(verdict.message)) return AGREE;
  return invalidWithoutRules(schema, isRoot, obj, old) ?? disagree(`denied with ${verdict.message}; expected ${want}`);
}

/**
 * invalidWithoutRules tells when the test's object is denied by the schema
 * itself (types, embedded ObjectMeta...), rules aside: the apiserver then
 * denies it before, or instead of, its CEL rules, so the table's CEL-only
 * expectation can't be replayed. Portcullis' schema validation is checked
 * against the apiserver by the differential test, not here.
 */
function invalidWithoutRules(schema: Schema, isRoot: boolean, obj: JsonValue, old: JsonValue | undefined): Result | null {
  // Integers beyond 2^53 are rounded by JSON.parse before Portcullis sees them: that is Portcullis' difference, not the test's object.
  if (hasRoundedIntegers(obj) || (old !== undefined && hasRoundedIntegers(old))) return null;
  const bare = load(stripRules(schema) as Schema, isRoot);
  if ('refused' in bare) return null;
  const verdict = bare.review(obj, old);
  return verdict.allowed ? null : { na: `the test's object fails the schema itself, rules aside (the apiserver denies it before CEL): ${verdict.message.slice(0, 200)}` };
}

function hasRoundedIntegers(value: JsonValue): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasRoundedIntegers);
  return value !== null && typeof value === 'object' && Object.values(value).some((v) => hasRoundedIntegers(v as JsonValue));
}

function stripRules(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRules);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'x-kubernetes-validations').map(([k, v]) => [k, stripRules(v)]));
}

/** validationExpressions reads TestValidationExpressions: every `valid` rule passes on obj, every `errors` rule fails with its text. */
function validationExpressions(test: string): Suite {
  const t = table(test);
  const cases: Case[] = [];
  for (const entry of t.cases) {
    const name = String(entry['name']);
    const schema = schemaOf(entry['schema']);
    if (schema === null) continue;
    const isRoot = entry['isRoot'] === true;
    const obj = fromDump(entry['obj']);
    const old = entry['oldObj'] === null || entry['oldObj'] === undefined ? undefined : fromDump(entry['oldObj']);
    const budget = entry['costBudget'];
    const na = typeof budget === 'number' && budget !== 0 ? `the test sets a runtime cost budget of ${budget}; the apiserver's is fixed` : entry['oldSchema'] !== null && entry['oldSchema'] !== undefined ? 'the test validates the old object against another schema' : null;
    const valid = (entry['valid'] as string[] | null) ?? [];
    let together: Result | undefined;
    const runTogether = () => (together ??= expectAllowed(withRules(schema, valid.map((rule) => ({ rule }))), isRoot, obj, old));
    for (const rule of valid) {
      cases.push({
        id: `${test}/${name}/valid: ${rule}`,
        run: () => {
          if (na !== null) return { na };
          // All valid rules in one CRD first; only when that fails is each rule loaded alone.
          if ('agree' in runTogether() && runTogether().agree === true) return AGREE;
          return expectAllowed(withRules(schema, [{ rule }]), isRoot, obj, old);
        },
      });
    }
    for (const [rule, want] of Object.entries((entry['errors'] as Record<string, string> | null) ?? {})) {
      cases.push({
        id: `${test}/${name}/error: ${rule}`,
        run: () => (na !== null ? { na } : expectDenied(withRules(schema, [{ rule }]), isRoot, obj, old, (m) => m.includes(want), JSON.stringify(want))),
      });
    }
  }
  return { name: test, source: t.source, cases };
}

/** schemaLevels reads TestValidationExpressionsAtSchemaLevels: the schema carries its rules; errors lists what the messages contain. */
function schemaLevels(): Suite {
  const test = 'TestValidationExpressionsAtSchemaLevels';
  const t = table(test);
  const cases: Case[] = t.cases.map((entry) => ({
    id: `${test}/${String(entry['name'])}`,
    run: (): Result => {
      const schema = schemaOf(entry['schema']) as Schema;
      const obj = fromDump(entry['obj']);
      const old = entry['oldObj'] === null ? undefined : fromDump(entry['oldObj']);
      const errors = (entry['errors'] as string[] | null) ?? [];
      if (errors.length === 0) return expectAllowed(schema, false, obj, old);
      // Rules under allOf (nested value validations) are not in the extracted OpenAPI, and no CRD may hold them.
      if (JSON.stringify(stripRules(schema)) === JSON.stringify(schema)) return { na: 'the rules sit in allOf, where a CRD may not have x-kubernetes-validations (must be empty to be structural)' };
      const loaded = load(schema, false);
      // A rule that does not compile is an error the apiserver reports at CRD creation; the test sees it at validation.
      if ('refused' in loaded) return errors.every((e) => loaded.refused.includes(e)) ? AGREE : refusal(loaded, `expected ${errors.join(' | ')}`);
      return expectDenied(schema, false, obj, old, (m) => errors.every((e) => m.includes(e)), errors.join(' | '));
    },
  }));
  return { name: test, source: t.source, cases };
}

/** LIBRARY_TESTS name each library table's fields. */
const LIBRARY_TESTS: Record<string, { value: string; runtime: string; compile: string; regex: boolean }> = {
  TestQuantity: { value: 'expectValue', runtime: 'expectedRuntimeErr', compile: 'expectedCompileErr', regex: true },
  TestIP: { value: 'expectResult', runtime: 'expectRuntimeErr', compile: 'expectCompileErrs', regex: true },
  TestCIDR: { value: 'expectResult', runtime: 'expectRuntimeErr', compile: 'expectCompileErrs', regex: true },
  TestSemver: { value: 'expectValue', runtime: 'expectedRuntimeErr', compile: 'expectedCompileErr', regex: true },
  TestFormat: { value: 'expectValue', runtime: 'expectedRuntimeErr', compile: 'expectedCompileErr', regex: true },
};

/**
 * library reads an apiserver cel/library table: expr evaluates to the
 * expected value, or fails at run time or compile time with the expected
 * text. Replayed as one rule on an empty object: `(expr) == <value>`, or
 * `[expr].size() == 1` for an expected error.
 */
function library(test: string): Suite {
  const fields = LIBRARY_TESTS[test] as (typeof LIBRARY_TESTS)[string];
  const t = table(test);
  const schema: Schema = { type: 'object' };
  const matcher = (want: string) => (message: string) => message.includes(want) || (fields.regex && safeRegex(want)?.test(message) === true);
  const cases: Case[] = t.cases.map((entry) => ({
    id: `${test}/${String(entry['name'])}`,
    run: (): Result => {
      const expr = String(entry['expr']);
      const compileErrs = (entry[fields.compile] as string[] | null) ?? [];
      const runtimeErr = String(entry[fields.runtime] ?? '');
      if (typeof entry['version'] === 'object' && entry['version'] !== null && Number((entry['version'] as Raw)['$uint']) !== 0) return { na: 'the test pins an older library version' };
      if (compileErrs.length > 0) {
        const loaded = load(withRules(schema, [{ rule: `[${expr}].size() == 1` }]), false);
        if (!('refused' in loaded)) return disagree(`loaded; expected compile errors ${compileErrs.join(' | ')}`);
        return compileErrs.every((e) => matcher(e)(loaded.refused)) ? AGREE : disagree(`refused with ${loaded.refused}; expected ${compileErrs.join(' | ')}`);
      }
      if (runtimeErr !== '') return expectDenied(withRules(schema, [{ rule: `[${expr}].size() == 1` }]), false, {}, undefined, matcher(runtimeErr), runtimeErr);
      const rule = equalityRule(expr, entry[fields.value]);
      if (rule === null) return { na: `the expected value ${JSON.stringify(entry[fields.value]).slice(0, 120)} has no CEL literal` };
      return expectAllowed(withRules(schema, [{ rule }]), false, {}, undefined);
    },
  }));
  return { name: test, source: t.source, cases };
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/**
 * equalityRule is a rule that holds when expr yields the expected value. An
 * optional is compared through hasValue()/value(): comparing optionals of
 * unbounded lists with == has an estimated cost the apiserver refuses.
 */
function equalityRule(expr: string, expected: unknown): string | null {
  const v = expected as Raw | null;
  if (v !== null && typeof v === 'object' && v['$cel'] === 'optional_type') {
    if (v['value'] === null) return `!(${expr}).hasValue()`;
    const inner = nativeLiteral(v['value']);
    return inner === null ? null : `(${expr}).hasValue() && (${expr}).value() == ${inner}`;
  }
  const literal = celLiteral(expected);
  return literal === null ? null : `(${expr}) == ${literal}`;
}

/** celLiteral writes a dumped CEL value as a CEL expression that equals it, or null. */
export function celLiteral(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Raw;
  const inner = v['value'];
  switch (v['$cel']) {
    case 'bool':
      return String(inner);
    case 'int':
      return typeof inner === 'object' && inner !== null ? String((inner as Raw)['$int']) : String(inner);
    case 'uint':
      return `${String((inner as Raw)['$uint'])}u`;
    case 'double': {
      const n = typeof inner === 'object' && inner !== null ? Number((inner as Raw)['$float']) : Number(inner);
      if (!Number.isFinite(n)) return null;
      const s = String(n);
      return /[.e]/.test(s) ? s : `${s}.0`;
    }
    case 'string':
      return JSON.stringify(inner);
    case 'net.IP':
      return `ip(${JSON.stringify((inner as Raw)['$string'])})`;
    case 'net.CIDR':
      return `cidr(${JSON.stringify((inner as Raw)['$string'] ?? '')})`;
    case 'kubernetes.Semver':
      return `semver(${JSON.stringify((inner as Raw)['$string'])})`;
    case 'kubernetes.Quantity': {
      const q = inner as Raw;
      return typeof q['s'] === 'string' && q['s'] !== '' ? `quantity(${JSON.stringify(q['s'])})` : null;
    }
    case 'optional_type': {
      if (inner === null) return 'optional.none()';
      const wrapped = nativeLiteral(inner);
      return wrapped === null ? null : `optional.of(${wrapped})`;
    }
    default:
      return null;
  }
}

function nativeLiteral(value: unknown): string | null {
  if (value !== null && typeof value === 'object' && '$cel' in (value as Raw)) return celLiteral(value);
  if (Array.isArray(value)) {
    const items = value.map(nativeLiteral);
    return items.includes(null) ? null : `[${items.join(', ')}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return null;
}

type Matcher = Raw | Raw[];

/**
 * compilation reads TestCelCompilation: each rule of the input schema,
 * alone in a CRD, loads (noError) or is refused with the expected text
 * (invalidError, messageExpressionError). fnMatchers check internals
 * (transition-rule flags, cost) no user can see and are not replayed.
 */
function compilation(): Suite {
  const test = 'TestCelCompilation';
  const t = table(test);
  const cases: Case[] = [];
  for (const entry of t.cases) {
    const schema = schemaOf(entry['input']);
    const rules = (schema?.['x-kubernetes-validations'] ?? []) as NonNullable<Schema['x-kubernetes-validations']>;
    const results = (entry['expectedResults'] as Matcher[] | null) ?? [];
    rules.forEach((rule, i) => {
      cases.push({
        id: `${test}/${String(entry['name'])}/${rule.rule}`,
        run: (): Result => {
          if (schema === null) return { na: 'no schema' };
          if (entry['unmodified'] === true) return { na: 'the test compiles with the stored-expression environment (a CRD updated without changing the rule), not a new CRD' };
          // Other matchers (transition-rule flags, program presence) check internals a user can't see.
          const matchers = ([] as unknown[]).concat(results[i] as Matcher).filter((m): m is Raw => m !== null && typeof m === 'object');
          const wants = matchers.filter((m) => m['$type'] === 'cel.errorMatcher' || m['$type'] === 'cel.messageExpressionErrorMatcher').map((m) => String(m['contains']));
          const loaded = load(withRules(schema, [rule]), false);
          if (wants.length === 0) return 'refused' in loaded ? refusal(loaded, 'expected to compile') : AGREE;
          if (!('refused' in loaded)) return disagree(`loaded; expected a compile error containing ${wants.join(' | ')}`);
          return wants.every((w) => loaded.refused.includes(w)) ? AGREE : disagree(`refused with ${loaded.refused}; expected ${wants.join(' | ')}`);
        },
      });
    });
  }
  return { name: test, source: t.source, cases };
}

/** ERROR_LIST_TESTS name the fields of tables with a schema, objects and the errors' texts. */
const ERROR_LIST_TESTS: Record<string, { obj: string; budget?: string; optionalOldSelf?: boolean }> = {
  TestRatcheting: { obj: 'newObj', budget: 'runtimeCostBudget' },
  // The Go tests set optionalOldSelf on every rule of the schema's root.
  TestOptionalOldSelf: { obj: 'obj', optionalOldSelf: true },
  TestOptionalOldSelfCheckForNull: { obj: 'obj', optionalOldSelf: true },
  TestOptionalOldSelfIsOptionalType: { obj: 'obj', optionalOldSelf: true },
};

/**
 * errorList reads tables whose cases hold a schema with its rules, an
 * object, maybe an old object, and the texts every reported error must
 * contain (none: the object is valid). Paths under `root` are the
 * harness's `spec`, or the resource root when the schema declares
 * apiVersion or kind (the test then validates a whole resource). Ratcheting's warnings (errors the apiserver downgrades
 * on unchanged values) are not checked: a webhook's verdict can't carry them apart.
 */
function errorList(test: string): Suite {
  const fields = ERROR_LIST_TESTS[test] as (typeof ERROR_LIST_TESTS)[string];
  const t = table(test);
  const cases: Case[] = t.cases.map((entry) => ({
    id: `${test}/${String(entry['name'])}`,
    run: (): Result => {
      const dumped = schemaOf(entry['schema']);
      if (dumped === null) return { na: 'no schema' };
      const schema: Schema = fields.optionalOldSelf === true ? { ...dumped, 'x-kubernetes-validations': (dumped['x-kubernetes-validations'] ?? []).map((r) => ({ ...r, optionalOldSelf: true })) } : dumped;
      const isRoot = schema.type === 'object' && (schema.properties?.['apiVersion'] !== undefined || schema.properties?.['kind'] !== undefined);
      const budget = fields.budget === undefined ? 0 : Number(entry[fields.budget] ?? 0);
      if (budget !== 0) return { na: `the test sets a runtime cost budget of ${budget}; the apiserver's is fixed` };
      const obj = fromDump(entry[fields.obj]);
      const old = entry['oldObj'] === null || entry['oldObj'] === undefined ? undefined : fromDump(entry['oldObj']);
      const errors = ((entry['errors'] as string[] | null) ?? []).map((e) => (isRoot ? e.replace(/^root\./, '') : atSpec(e)));
      if (errors.length === 0) return expectAllowed(schema, isRoot, obj, old);
      return expectDenied(schema, isRoot, obj, old, (m) => errors.every((e) => m.includes(e)), errors.join(' | '));
    },
  }));
  return { name: test, source: t.source, cases };
}

/** reasonAndFieldPath reads TestReasonAndFldPath: each expected error's reason and field are among the denial's causes. */
function reasonAndFieldPath(): Suite {
  const test = 'TestReasonAndFldPath';
  const t = table(test);
  const cases: Case[] = t.cases.map((entry) => ({
    id: `${test}/${String(entry['name'])}`,
    run: (): Result => {
      const schema = schemaOf(entry['schema']) as Schema;
      const wants = ((entry['errors'] as Raw[] | null) ?? []).map((e) => ({ reason: String(e['Type']), field: atSpec(String(e['Field'])) }));
      const loaded = load(schema, false);
      if ('refused' in loaded) return refusal(loaded, 'expected errors');
      const verdict = loaded.review(fromDump(entry['obj']));
      if (verdict.allowed) return disagree(`allowed; expected ${JSON.stringify(wants)}`);
      const missing = wants.filter((w) => !verdict.causes.some((c) => c.reason === w.reason && c.field === w.field));
      return missing.length === 0 ? AGREE : disagree(`causes ${JSON.stringify(verdict.causes)}; missing ${JSON.stringify(missing)}`);
    },
  }));
  return { name: test, source: t.source, cases };
}

/** RUNTIME_CEL_COST_BUDGET is the apiserver's per-request budget (celconfig.RuntimeCELCostBudget). */
const RUNTIME_CEL_COST_BUDGET = 10_000_000;

/**
 * messageExpression reads TestMessageExpression: a rule `false` on an object
 * with one string field, with message and messageExpression; the one error
 * contains the expected text. Cases with their own budgets or per-call
 * limits are not replayable; log lines (expectedLogErr) are not checked.
 */
function messageExpression(): Suite {
  const test = 'TestMessageExpression';
  const t = table(test);
  const cases: Case[] = t.cases.map((entry) => ({
    id: `${test}/${String(entry['name'])}`,
    run: (): Result => {
      const perCall = Number((entry['perCallLimit'] as Raw | null)?.['$uint'] ?? 0);
      if (Number(entry['costBudget']) !== RUNTIME_CEL_COST_BUDGET || perCall !== 0) return { na: `the test sets its own budget (${String(entry['costBudget'])}) or per-call limit (${perCall})` };
      const rule: NonNullable<Schema['x-kubernetes-validations']>[number] = { rule: 'false', messageExpression: String(entry['messageExpression']) };
      if (entry['message'] !== '') rule.message = String(entry['message']);
      const schema: Schema = { type: 'object', properties: { str: { type: 'string' } }, 'x-kubernetes-validations': [rule] };
      const want = String(entry['expectedValidationErr']);
      return expectDenied(schema, false, { str: 'a string' }, undefined, (m) => m.includes(want), JSON.stringify(want));
    },
  }));
  return { name: test, source: t.source, cases };
}

function merged(first: Suite, ...rest: Suite[]): Suite {
  return { ...first, name: [first.name, ...rest.map((r) => r.name)].join('+'), cases: [first, ...rest].flatMap((x) => x.cases) };
}

/** SUITES builds every replayed table. */
export function buildSuites(): Suite[] {
  return [
    // TestCELValidationLimit (one case) shares TestValidationExpressions' harness and file: one suite.
    merged(validationExpressions('TestValidationExpressions'), validationExpressions('TestCELValidationLimit')),
    schemaLevels(),
    compilation(),
    ...Object.keys(ERROR_LIST_TESTS).map(errorList),
    reasonAndFieldPath(),
    messageExpression(),
    ...Object.keys(LIBRARY_TESTS).map(library),
  ];
}
