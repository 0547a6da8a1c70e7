import { parse } from '@marcbachmann/cel-js';
import type { JsonObject } from '../kube/types.js';
import type { BindingFilter } from './binding.js';
import { BindingError } from './errors.js';
import { stringMapOf } from '../kube/object-meta.js';
import { getPath, parseObjectPath } from '../kube/object-path.js';

/** FilterFn tells whether a source object is selected by a binding. */
export type FilterFn = (obj: JsonObject) => boolean;

/**
 * compileFilter turns a BindingFilter into a predicate. CEL is parsed once
 * here (a syntax error throws BindingError at load time); at run time an
 * evaluation error such as a missing field counts as "not selected".
 */
export function compileFilter(filter: BindingFilter): FilterFn {
  if (filter.cel !== undefined) {
    let program: ReturnType<typeof parse>;
    try {
      program = parse(filter.cel);
    } catch (err) {
      throw new BindingError(`invalid CEL filter: ${(err as Error).message}`, { cause: err });
    }
    return (obj) => {
      try {
        return program({ object: obj }) === true;
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
