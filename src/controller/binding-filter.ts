import { createCelEnvironment, type CelEnvironment, type CelProgram } from '../cel/environment.js';
import { QUANTITY_LIBRARY } from '../cel/library-quantity.js';
import { URL_LIBRARY } from '../cel/library-url.js';
import type { JsonObject } from '../kube/types.js';
import type { BindingFilter } from './binding.js';
import { BindingError } from './errors.js';
import { stringMapOf } from '../kube/object-meta.js';
import { getPath, parseObjectPath } from '../kube/object-path.js';
import { errorMessage } from '../kube/errors.js';

/** FilterFn tells whether a source object is selected by a binding. */
export type FilterFn = (obj: JsonObject) => boolean;

/**
 * createBindingCelEnvironment is the CEL environment of binding filters: the
 * shared one from src/cel (Kubernetes string, list, regex, quantity and URL
 * functions; size and cost bounds) with the source object as `object`. Build
 * it once and pass it to every compileFilter.
 */
export function createBindingCelEnvironment(): CelEnvironment {
  return createCelEnvironment({ variables: { object: 'dyn' }, extraLibraries: [QUANTITY_LIBRARY, URL_LIBRARY] });
}

/**
 * compileFilter turns a BindingFilter into a predicate. CEL is compiled here
 * (parsed, type-checked to bool, bounded), so an expression that does not
 * compile throws BindingError when the bindings are loaded; at run time an
 * evaluation error such as a missing field, or the cost bound, counts as
 * "not selected".
 */
export function compileFilter(filter: BindingFilter, environment: CelEnvironment = createBindingCelEnvironment()): FilterFn {
  if (filter.cel !== undefined) {
    let program: CelProgram;
    try {
      program = environment.compile(filter.cel, { resultType: 'bool' });
    } catch (err) {
      throw new BindingError(`spec.filter.cel: ${errorMessage(err)}`, { cause: err });
    }
    return (obj) => {
      try {
        return program.evaluate({ object: obj }) === true;
      } catch {
        return false;
      }
    };
  }
  if (filter.field !== undefined) {
    const { equals, in: list } = filter.field;
    const path = parseObjectPath(filter.field.path).segments;
    return (obj) => {
      const value = getPath(obj, path);
      if (typeof value !== 'string') return false;
      return equals !== undefined ? value === equals : (list ?? []).includes(value);
    };
  }
  if (filter.annotation !== undefined) {
    const { key, value } = filter.annotation;
    return (obj) => {
      const annotations = stringMapOf(obj, 'annotations');
      return key in annotations && (value === undefined || annotations[key] === value);
    };
  }
  throw new BindingError('filter needs one of field, cel, annotation');
}
