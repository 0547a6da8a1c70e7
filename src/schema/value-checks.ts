import type { JsonValue } from '../kube/types.js';
import { deepEqual } from '../kube/safe-object.js';
import { formatNumber } from '../kube/field-error.js';
import type { FieldError } from '../kube/field-error.js';
import type { FieldPath } from '../kube/field-path.js';
import { effectiveFormat, formatChecker } from './formats.js';
import { compileRe2 } from '../kube/re2.js';
import type { Schema } from './structural.js';
import { jsonTypeOf } from './structural.js';
import { addError } from './validator-context.js';
import type { Check } from './validator-context.js';

/*
 * Value validations of one schema node, worded as kube-openapi's validator
 * words them (pkg/validation/errors/schema.go) and typed as the apiserver's
 * kubeOpenAPIResultToFieldErrors maps them to field errors.
 */

const IN = 'in body';

/** compileTypeCheck returns the type check of a node, or null when the node has no type (int-or-string, preserve-unknown). It reports whether the value passed so other checks can be skipped. */
export function compileTypeCheck(schema: Schema): ((value: JsonValue, path: FieldPath, ctx: Parameters<Check>[3]) => boolean) | null {
  if (schema['x-kubernetes-int-or-string']) {
    return (value, path, ctx) => {
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return true;
      if (value === null && schema.nullable) return true;
      // go-openapi reports the value's type name as the bad value, not the value.
      const actual = jsonTypeOf(value);
      addError(ctx, { type: 'TypeInvalid', field: path.toString(), badValue: actual, detail: `${path.toString()} ${IN} must be of type integer,string: ${JSON.stringify(actual)}` });
      return false;
    };
  }
  const type = schema.type;
  if (type === undefined) return null;
  const format = effectiveFormat(schema.format, schema.type);
  const numeric = type === 'integer' || type === 'number';
  // kube-openapi's typeValidator: with a format, a non-string, non-array
  // value of the wrong type is reported against the format and the Go
  // format of the value (int64, float64); a non-numeric schema with a format
  // accepts any string or array here.
  return (value, path, ctx) => {
    const actual = jsonTypeOf(value);
    if (actual === 'null') {
      if (schema.nullable) return true;
      addError(ctx, { type: 'TypeInvalid', field: path.toString(), badValue: 'null', detail: `${path.toString()} ${IN} must be of type ${type}: "null"` });
      return false;
    }
    const matches = actual === type || (type === 'number' && actual === 'integer');
    const stringOrSlice = actual === 'string' || actual === 'array';
    if (!stringOrSlice && format !== '' && !matches) {
      const dataFormat = actual === 'integer' ? 'int64' : actual === 'number' ? 'float64' : '';
      if (dataFormat !== format) {
        addError(ctx, { type: 'TypeInvalid', field: path.toString(), badValue: dataFormat, detail: `${path.toString()} ${IN} must be of type ${format}: ${JSON.stringify(dataFormat)}` });
        return false;
      }
    }
    if (!numeric && format !== '' && stringOrSlice) return true;
    if (matches) return true;
    addError(ctx, { type: 'TypeInvalid', field: path.toString(), badValue: actual, detail: `${path.toString()} ${IN} must be of type ${type}: ${JSON.stringify(actual)}` });
    return false;
  };
}

/** compileValueChecks returns the checks of a node's value keywords in kube-openapi's order (string, format, number, array, object counts); enum is separate. */
export function compileValueChecks(schema: Schema): Check[] {
  const checks: Check[] = [];
  pushStringChecks(schema, checks);
  pushNumberChecks(schema, checks);
  pushCollectionChecks(schema, checks);
  return checks;
}

/** compileEnumCheck returns the enum check of a node (which also applies to null), or null when it has no enum. */
export function compileEnumCheck(schema: Schema): Check | null {
  if (schema.enum === undefined) return null;
  const allowed = schema.enum;
  const supported = allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return (value, _old, path, ctx) => {
    if (!allowed.some((candidate) => deepEqual(candidate, value))) {
      addError(ctx, { type: 'NotSupported', field: path.toString(), badValue: value, detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });
    }
  };
}

function pushStringChecks(schema: Schema, checks: Check[]): void {
  const { maxLength, minLength, pattern, format } = schema;
  // A pattern RE2 rejects fails the load: Go's regexp is RE2, so the apiserver refuses such a CRD too.
  const re = pattern !== undefined ? compileRe2(pattern) : undefined;
  if (maxLength !== undefined || minLength !== undefined || re !== undefined) {
    // kube-openapi's string validator stops at the first failing keyword.
    checks.push((value, _old, path, ctx) => {
      if (typeof value !== 'string') return;
      const n = maxLength !== undefined || minLength !== undefined ? runeCount(value) : 0;
      if (maxLength !== undefined && n > maxLength) {
        addError(ctx, { type: 'TooLong', field: path.toString(), detail: `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` });
      } else if (minLength !== undefined && n < minLength) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} should be at least ${minLength} chars long` });
      } else if (re !== undefined && !re.test(value)) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} should match '${pattern}'` });
      }
    });
  }
  const checker = format !== undefined ? formatChecker(format, schema.type) : undefined;
  if (checker !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (typeof value === 'string' && !checker(value)) {
        addError(ctx, { type: 'TypeInvalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} must be of type ${format}: ${JSON.stringify(value)}` });
      }
    });
  }
}

const INT32 = 2 ** 31;
const INT64 = 2 ** 63;
const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * fitsNumericFormat is kube-openapi's IsValueValidAgainstRange: whether a
 * number converts to the node's type and format (integer: int32 or, by
 * default, int64, so never a fraction; number with format float: float32's
 * range; anything else fits).
 */
function fitsNumericFormat(value: number, type: string | undefined, format: string): boolean {
  if (type === 'integer') return Number.isInteger(value) && (format === 'int32' ? value >= -INT32 && value < INT32 : Math.abs(value) < INT64);
  if (format === 'float') return Math.abs(value) <= MAX_FLOAT32;
  return true;
}

/** rangeError words a value or bound that does not fit, as kube-openapi does; the apiserver reports it with no field (`<nil>`). */
function rangeError(prefix: string, type: string, format: string, path: FieldPath): FieldError {
  const kind = format !== '' ? `with format ${format}` : '(default format)';
  return { type: 'Invalid', field: '<nil>', badValue: '', detail: `${prefix} value must be of type ${type} ${kind} in ${path.toString()}` };
}

function pushNumberChecks(schema: Schema, checks: Check[]): void {
  const { maximum, minimum, exclusiveMaximum, exclusiveMinimum, multipleOf } = schema;
  const type = schema.type ?? '';
  const format = effectiveFormat(schema.format, schema.type);
  // kube-openapi's number validator runs on every numeric value, whatever the node's type: first
  // the value, then each bound, must fit the type and format.
  const bounds: [string, number | undefined][] = [['MultipleOf', multipleOf], ['Minimum boundary', minimum], ['Maximum boundary', maximum]];
  const badBounds = bounds.filter(([, b]) => b !== undefined && !fitsNumericFormat(b, schema.type, format)).map(([name]) => name);
  if (type === 'integer' || format === 'float' || badBounds.length > 0) {
    checks.push((value, _old, path, ctx) => {
      if (typeof value !== 'number') return;
      if (!fitsNumericFormat(value, schema.type, format)) addError(ctx, rangeError('Checked', type, format, path));
      for (const name of badBounds) addError(ctx, rangeError(name, type, format, path));
    });
  }
  if (multipleOf !== undefined && multipleOf > 0) {
    checks.push((value, _old, path, ctx) => {
      if (typeof value !== 'number') return;
      const quotient = value / multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} should be a multiple of ${formatNumber(multipleOf)}` });
      }
    });
  }
  if (minimum !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (typeof value !== 'number') return;
      if (exclusiveMinimum ? value <= minimum : value < minimum) {
        const words = exclusiveMinimum ? 'should be greater than' : 'should be greater than or equal to';
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} ${words} ${formatNumber(minimum)}` });
      }
    });
  }
  if (maximum !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (typeof value !== 'number') return;
      if (exclusiveMaximum ? value >= maximum : value > maximum) {
        const words = exclusiveMaximum ? 'should be less than' : 'should be less than or equal to';
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value, detail: `${path.toString()} ${IN} ${words} ${formatNumber(maximum)}` });
      }
    });
  }
}

function pushCollectionChecks(schema: Schema, checks: Check[]): void {
  const { maxItems, minItems, maxProperties, minProperties } = schema;
  if (maxItems !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (Array.isArray(value) && value.length > maxItems) {
        addError(ctx, { type: 'TooMany', field: path.toString(), badValue: value.length, detail: `must have at most ${maxItems} ${maxItems === 1 ? 'item' : 'items'}` });
      }
    });
  }
  if (minItems !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (Array.isArray(value) && value.length < minItems) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: value.length, detail: `${path.toString()} ${IN} should have at least ${minItems} items` });
      }
    });
  }
  if (maxProperties !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (isObject(value) && Object.keys(value).length > maxProperties) {
        addError(ctx, { type: 'TooMany', field: path.toString(), badValue: Object.keys(value).length, detail: `must have at most ${maxProperties} ${maxProperties === 1 ? 'item' : 'items'}` });
      }
    });
  }
  if (minProperties !== undefined) {
    checks.push((value, _old, path, ctx) => {
      if (isObject(value) && Object.keys(value).length < minProperties) {
        addError(ctx, { type: 'Invalid', field: path.toString(), badValue: Object.keys(value).length, detail: `${path.toString()} ${IN} should have at least ${minProperties} properties` });
      }
    });
  }
}

function isObject(value: JsonValue): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** runeCount counts Unicode code points, as Go's utf8.RuneCountInString does. */
export function runeCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) i++;
    n++;
  }
  return n;
}

