import type { CelEnvironment, CelProgram } from '../cel/environment.js';
import { fromCelValue } from '../cel/values.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { deepCopy } from '../kube/safe-object.js';
import { atField } from './compile-error.js';
import type { EvalContext } from './eval-context.js';
import { getPath, parseObjectPath, setPathIfAbsent } from '../kube/object-path.js';
import type { ObjectPath } from '../kube/object-path.js';
import type { Finding } from './outcome.js';
import type { MutationSpec } from './types.js';
import { errorMessage } from '../kube/errors.js';

/** MutationResult tells what one mutation did: whether it changed the object, and what went wrong. */
export interface MutationResult {
  changed: boolean;
  findings: Finding[];
}

/** CompiledMutation is one mutation, ready to run on a working copy. */
export interface CompiledMutation {
  readonly policy: string;
  readonly name: string;
  /** createOnly mutations run on CREATE only; others on CREATE and UPDATE. */
  readonly createOnly: boolean;
  apply(ctx: EvalContext, working: JsonObject): MutationResult;
}

type Step = (ctx: EvalContext, working: JsonObject, result: MutationResult) => void;

function compileDefault(path: ObjectPath, value: JsonValue | undefined, program: CelProgram | undefined): Step {
  return (ctx, working, result) => {
    const current = getPath(working, path.segments);
    if (current !== undefined && current !== null) return;
    let next: JsonValue;
    if (program) {
      try {
        const input = ctx.cel();
        next = fromCelValue(program.evaluateConverted(input.values, input.stats));
      } catch (err) {
        result.findings.push({ kind: 'field', error: { type: 'Internal', field: path.display, detail: `default expression failed: ${errorMessage(err)}` } });
        return;
      }
      // An expression that yields null or '' (e.g. an anonymous user) sets nothing.
      if (next === null || next === '') return;
    } else {
      next = deepCopy(value as JsonValue);
    }
    if (setPathIfAbsent(working, path.segments, next)) {
      result.changed = true;
      ctx.objectChanged();
    }
  };
}

function compileMetadataEntries(field: 'labels' | 'annotations', entries: Record<string, string>): Step[] {
  return Object.entries(entries).map(([key, value]) => {
    const path: ObjectPath = { source: `metadata.${field}[${key}]`, segments: ['metadata', field, key], display: `metadata.${field}[${key}]` };
    return compileDefault(path, value, undefined);
  });
}

/**
 * compileMutation compiles a mutation: defaults (a constant or a CEL
 * expression, set only where the field is absent or null), then labels and
 * annotations added where the key is absent. Setting only absent values
 * makes every mutation idempotent: running it on its own output changes
 * nothing, and it never overrides what the user wrote.
 */
export function compileMutation(policy: string, spec: MutationSpec, cel: CelEnvironment, at: string): CompiledMutation {
  const steps: Step[] = [];
  (spec.defaults ?? []).forEach((d, i) => {
    const path = atField(`${at}.defaults[${i}].path`, () => parseObjectPath(d.path));
    const program = d.expression === undefined ? undefined : atField(`${at}.defaults[${i}].expression`, () => cel.compile(d.expression as string));
    steps.push(compileDefault(path, d.value, program));
  });
  steps.push(...compileMetadataEntries('labels', spec.labels ?? {}));
  steps.push(...compileMetadataEntries('annotations', spec.annotations ?? {}));
  return {
    policy,
    name: spec.name,
    createOnly: spec.createOnly === true,
    apply(ctx, working) {
      const result: MutationResult = { changed: false, findings: [] };
      for (const step of steps) step(ctx, working, result);
      return result;
    },
  };
}
