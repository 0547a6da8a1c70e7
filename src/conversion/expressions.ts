import type { JsonObject, JsonValue } from '../kube/types.js';
import type { KeyPath } from '../kube/object-path.js';

/**
 * ExpressionEngine is the one pluggable piece of the declarative mappings:
 * it compiles the expressions of computed fields and evaluates them on the
 * source object. cel-expressions.ts provides the CEL engine; tests may
 * inject their own.
 */
export interface ExpressionEngine {
  /** compile parses an expression once; throws an Error whose message says what is wrong. `resultType` asks for a static type (e.g. `bool`). */
  compile(source: string, options?: { resultType?: string }): CompiledExpression;
  /**
   * scope prepares one object for any number of evaluations (conversion to
   * the engine's values happens at most once). `fields`, when given, lists
   * the only top-level fields the evaluations will read: the engine may
   * leave the others (metadata, most of the time) unconverted.
   */
  scope(object: JsonObject, options?: { fields?: readonly string[] }): ExpressionScope;
}

/** ExpressionScope is the data of one evaluation: the source object, prepared by the engine. */
export interface ExpressionScope {
  readonly object: JsonObject;
}

/** CompiledExpression is one compiled expression; evaluate throws an Error on a run-time failure. */
export interface CompiledExpression {
  readonly source: string;
  /**
   * reads lists the fields of `object` the expression may read (a path
   * covers everything below it; `[]` is the whole object), or is undefined
   * when the engine can't tell. Lossless conversion uses it to know which
   * fields a stored copy stands for.
   */
  readonly reads?: readonly KeyPath[];
  /** evaluate returns the result as JSON (`undefined` is never returned: no value is `null`). */
  evaluate(scope: ExpressionScope): JsonValue;
}
