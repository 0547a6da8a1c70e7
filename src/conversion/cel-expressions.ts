import { createCelEnvironment } from '../cel/environment.js';
import type { CelEnvironment } from '../cel/environment.js';
import { emptyStats, fromCelValue, toCelValue } from '../cel/values.js';
import type { CelInputStats } from '../cel/values.js';
import type { JsonObject } from '../kube/types.js';
import type { ExpressionEngine, ExpressionScope } from './expressions.js';

/** CelExpressionEngineOptions configures createCelExpressionEngine. */
export interface CelExpressionEngineOptions {
  /** environment is a shared CEL environment declaring the variable `object`; default a new one from src/cel with only `object`. */
  environment?: CelEnvironment;
}

interface CelScope extends ExpressionScope {
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
        evaluate(scope) {
          const celScope = scope as CelScope;
          if (celScope.values === undefined || celScope.stats === undefined) {
            const stats = emptyStats();
            celScope.values = { object: toCelValue(scope.object, stats) };
            celScope.stats = stats;
          }
          return fromCelValue(program.evaluateConverted(celScope.values, celScope.stats));
        },
      };
    },
    scope(object: JsonObject): ExpressionScope {
      const scope: CelScope = { object };
      return scope;
    },
  };
}
