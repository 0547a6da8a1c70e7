import { Environment } from '@marcbachmann/cel-js';
import { serialize } from '@marcbachmann/cel-js/serialize';
import { callName, walkAst } from './ast-walk.js';
import type { AstNode } from './ast-walk.js';
import { estimateCost, shapeOf } from './cost.js';
import type { ExpressionShape } from './cost.js';
import { CelCompileError, CelEvaluationError } from './errors.js';
import { errorMessage } from '../kube/errors.js';
import type { CelLibrary } from './library.js';
import { LISTS_LIBRARY } from './library-lists.js';
import { REGEX_LIBRARY } from './library-regex.js';
import { STRINGS_LIBRARY } from './library-strings.js';
import { emptyStats, toCelValue } from './values.js';
import type { CelInputStats } from './values.js';
import type { JsonValue } from '../kube/types.js';

/** DEFAULT_CEL_LIBRARIES are the libraries every environment has unless told otherwise. */
export const DEFAULT_CEL_LIBRARIES: readonly CelLibrary[] = [STRINGS_LIBRARY, LISTS_LIBRARY, REGEX_LIBRARY];

/** CelLimits bounds what an expression may be and what one evaluation may cost. */
export interface CelLimits {
  /** maxLength is the longest expression source accepted; default 5,000 characters. */
  maxLength?: number;
  /** maxAstNodes bounds the parsed expression; default 1,000 nodes. */
  maxAstNodes?: number;
  /** maxDepth bounds nesting in the parsed expression; default 32. */
  maxDepth?: number;
  /** maxCost bounds estimateCost for one evaluation (about one unit per node evaluation); default 1,000,000. */
  maxCost?: number;
}

/** CelEnvironmentOptions configures createCelEnvironment. */
export interface CelEnvironmentOptions {
  /** variables declares the top-level names and their CEL types; default object, oldObject, request (all dyn). */
  variables?: Readonly<Record<string, string>>;
  /** libraries replaces DEFAULT_CEL_LIBRARIES. */
  libraries?: readonly CelLibrary[];
  /** extraLibraries are added after `libraries` (e.g. quantity or URL functions). */
  extraLibraries?: readonly CelLibrary[];
  limits?: CelLimits;
}

/** CelCompileOptions tunes one compile. */
export interface CelCompileOptions {
  /** resultType, when set, must be the static type of the expression (or dyn): e.g. `bool`, `string`. */
  resultType?: string;
}

/** CelActivation is the data one evaluation sees, as JSON; whole numbers become CEL ints. */
export type CelActivation = Readonly<Record<string, JsonValue | undefined>>;

/** CelProgram is one compiled expression, safe to evaluate many times and concurrently. */
export interface CelProgram {
  readonly source: string;
  readonly shape: ExpressionShape;
  /** evaluate runs the program on JSON data; throws CelEvaluationError (cost bound included). */
  evaluate(activation: CelActivation): unknown;
  /** evaluateConverted runs the program on values already converted with toCelValue. */
  evaluateConverted(values: Readonly<Record<string, unknown>>, stats: CelInputStats): unknown;
}

/** CelEnvironment compiles expressions against one fixed set of variables and libraries. */
export interface CelEnvironment {
  readonly libraries: readonly CelLibrary[];
  readonly variables: Readonly<Record<string, string>>;
  /** compile parses and type-checks an expression; throws CelCompileError. */
  compile(expression: string, options?: CelCompileOptions): CelProgram;
}

const DEFAULT_VARIABLES = { object: 'dyn', oldObject: 'dyn', request: 'dyn' } as const;

/**
 * createCelEnvironment builds a CEL environment on @marcbachmann/cel-js with
 * the Kubernetes-style libraries (strings, lists, regex) plus any extra
 * ones. Building is the expensive part: build once, compile many. Every
 * program is bounded: source length, AST size and depth at compile time,
 * and an estimated cost per evaluation from the input's sizes.
 */
export function createCelEnvironment(options: CelEnvironmentOptions = {}): CelEnvironment {
  const limits = {
    maxLength: options.limits?.maxLength ?? 5000,
    maxAstNodes: options.limits?.maxAstNodes ?? 1000,
    maxDepth: options.limits?.maxDepth ?? 32,
    maxCost: options.limits?.maxCost ?? 1_000_000,
  };
  const libraries = [...(options.libraries ?? DEFAULT_CEL_LIBRARIES), ...(options.extraLibraries ?? [])];
  const variables = options.variables ?? DEFAULT_VARIABLES;
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: limits.maxAstNodes, maxDepth: limits.maxDepth },
  });
  for (const [name, type] of Object.entries(variables)) env.registerVariable(name, type);
  const replacements = new Map<string, string>();
  for (const library of libraries) {
    library.register(env);
    for (const [from, to] of Object.entries(library.replaces ?? {})) replacements.set(from, to);
  }

  const publicNames = new Map([...replacements].map(([from, to]) => [to, from]));
  // Errors name functions as the user wrote them, never by their internal replacement (pclRe2Matches).
  const publicError = (err: unknown): unknown => {
    const message = errorMessage(err);
    const renamed = message.replace(/\bpcl[A-Z][A-Za-z0-9]*/g, (name) => publicNames.get(name) ?? name);
    // Keep the error itself (and its source node, which errors.ts turns into a column) unless a name changed.
    return renamed === message ? err : Object.assign(new Error(renamed, { cause: err }), { node: (err as { node?: unknown } | null)?.node });
  };
  const parse = (expression: string) => {
    try {
      return env.parse(expression);
    } catch (err) {
      throw new CelCompileError(expression, publicError(err));
    }
  };

  return {
    libraries,
    variables,
    compile(expression: string, compileOptions: CelCompileOptions = {}): CelProgram {
      if (expression.length > limits.maxLength) {
        throw new CelCompileError(expression, new Error(`expression is longer than ${limits.maxLength} characters`));
      }
      let parsed = parse(expression);
      if (rewriteReplacedCalls(parsed.ast as unknown as AstNode, replacements)) parsed = parse(serialize(parsed.ast));
      const checked = parsed.check();
      if (!checked.valid) throw new CelCompileError(expression, publicError(checked.error));
      const wanted = compileOptions.resultType;
      if (wanted !== undefined && checked.type !== wanted && checked.type !== 'dyn') {
        throw new CelCompileError(expression, new Error(`expression must evaluate to ${wanted}, not ${checked.type}`));
      }
      const shape = shapeOf(parsed.ast as unknown as AstNode);
      const run = (values: Readonly<Record<string, unknown>>, stats: CelInputStats): unknown => {
        const cost = estimateCost(shape, stats);
        if (cost > limits.maxCost) {
          throw new CelEvaluationError(expression, new Error(`estimated cost ${cost} exceeds the limit of ${limits.maxCost}`));
        }
        try {
          return parsed(values);
        } catch (err) {
          throw new CelEvaluationError(expression, publicError(err));
        }
      };
      return {
        source: expression,
        shape,
        evaluateConverted: run,
        evaluate(activation: CelActivation): unknown {
          const stats = emptyStats();
          const values: Record<string, unknown> = {};
          for (const name of Object.keys(variables)) values[name] = toCelValue(activation[name], stats);
          return run(values, stats);
        },
      };
    },
  };
}

/** rewriteReplacedCalls renames receiver calls of replaced built-ins in place; true when it changed anything. */
function rewriteReplacedCalls(root: AstNode, replacements: ReadonlyMap<string, string>): boolean {
  if (replacements.size === 0) return false;
  let changed = false;
  walkAst(root, (node) => {
    const name = callName(node);
    const replacement = name === undefined ? undefined : replacements.get(name);
    if (node.op === 'rcall' && replacement !== undefined) {
      (node.args as unknown[])[0] = replacement;
      changed = true;
    }
  });
  return changed;
}
