import { parse } from '@marcbachmann/cel-js';
import { childNodes, isAstNode } from '../cel/ast-walk.js';
import type { AstNode } from '../cel/ast-walk.js';
import { createCelEnvironment } from '../cel/environment.js';
import type { CelEnvironment } from '../cel/environment.js';
import { emptyStats, fromCelValue, toCelValue } from '../cel/values.js';
import type { CelInputStats } from '../cel/values.js';
import { hasOwn, setOwn } from '../kube/safe-object.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import type { ExpressionEngine, ExpressionScope } from './expressions.js';
import type { KeyPath } from '../kube/object-path.js';

/** CelExpressionEngineOptions configures createCelExpressionEngine. */
export interface CelExpressionEngineOptions {
  /** environment is a shared CEL environment declaring the variable `object`; default a new one from src/cel with only `object`. */
  environment?: CelEnvironment;
}

interface CelScope extends ExpressionScope {
  fields?: readonly string[];
  values?: Readonly<Record<string, unknown>>;
  stats?: CelInputStats;
}

/**
 * createCelExpressionEngine returns the ExpressionEngine of conversion rules
 * on the project's shared CEL environment (src/cel: Kubernetes string, list
 * and RE2 regex libraries, cost bounds). Expressions see the source object
 * as `object`; integers are CEL ints. The object is converted to CEL values
 * once per scope, on the first evaluation.
 */
export function createCelExpressionEngine(options: CelExpressionEngineOptions = {}): ExpressionEngine {
  const environment = options.environment ?? createCelEnvironment({ variables: { object: 'dyn' } });
  return {
    compile(source, compileOptions = {}) {
      const program = environment.compile(source, compileOptions.resultType ? { resultType: compileOptions.resultType } : {});
      return {
        source,
        reads: objectReads(source),
        evaluate(scope) {
          const celScope = scope as CelScope;
          if (celScope.values === undefined || celScope.stats === undefined) {
            const stats = emptyStats();
            celScope.values = { object: toCelValue(celScope.fields ? pick(scope.object, celScope.fields) : scope.object, stats) };
            celScope.stats = stats;
          }
          return fromCelValue(program.evaluateConverted(celScope.values, celScope.stats));
        },
      };
    },
    scope(object: JsonObject, options = {}): ExpressionScope {
      const scope: CelScope = options.fields ? { object, fields: options.fields } : { object };
      return scope;
    },
  };
}

/**
 * objectReads lists the fields of `object` an expression reads: each
 * `object.a.b` (or `object['a']`) chain as a path, cut where an index is not
 * a string literal; a bare `object` reads all of it (`[]`). The source
 * already compiled, so it parses.
 */
function objectReads(source: string): KeyPath[] {
  const reads: KeyPath[] = [];
  const visit = (node: AstNode): void => {
    const path = selectPath(node);
    if (path !== undefined) {
      reads.push(path);
      return;
    }
    if (node.op === '[]' && Array.isArray(node.args) && isAstNode(node.args[0])) {
      const prefix = selectPath(node.args[0]);
      if (prefix !== undefined) reads.push(prefix);
    }
    for (const child of childNodes(node)) visit(child);
  };
  visit(parse(source).ast as unknown as AstNode);
  return reads;
}

/** selectPath returns the field path of a pure `object.a['b'].c` chain, or undefined for any other node. */
function selectPath(node: AstNode): string[] | undefined {
  if (node.op === 'id') return node.args === 'object' ? [] : undefined;
  if (!Array.isArray(node.args) || !isAstNode(node.args[0])) return undefined;
  const [inner, key] = node.args as [AstNode, unknown];
  let name: unknown;
  if (node.op === '.') name = key;
  else if (node.op === '[]' && isAstNode(key) && key.op === 'value') name = key.args;
  else return undefined;
  if (typeof name !== 'string') return undefined;
  const prefix = selectPath(inner);
  return prefix === undefined ? undefined : [...prefix, name];
}

/** pick returns the listed top-level fields of object (those it has). */
function pick(object: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const field of fields) if (hasOwn(object, field)) setOwn(out, field, object[field] as JsonValue);
  return out;
}
