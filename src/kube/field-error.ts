import type { JsonValue, StatusCause } from './types.js';

/**
 * FieldErrorType mirrors k8s.io/apimachinery/pkg/util/validation/field
 * ErrorType: the value is the cause reason, the label what messages print.
 */
export const FIELD_ERROR_TYPES = {
  NotFound: { reason: 'FieldValueNotFound', label: 'Not found' },
  Required: { reason: 'FieldValueRequired', label: 'Required value' },
  Duplicate: { reason: 'FieldValueDuplicate', label: 'Duplicate value' },
  Invalid: { reason: 'FieldValueInvalid', label: 'Invalid value' },
  NotSupported: { reason: 'FieldValueNotSupported', label: 'Unsupported value' },
  Forbidden: { reason: 'FieldValueForbidden', label: 'Forbidden' },
  TooLong: { reason: 'FieldValueTooLong', label: 'Too long' },
  TooMany: { reason: 'FieldValueTooMany', label: 'Too many' },
  Internal: { reason: 'InternalError', label: 'Internal error' },
  TypeInvalid: { reason: 'FieldValueTypeInvalid', label: 'Invalid value' },
} as const;

/** FieldErrorType names one of FIELD_ERROR_TYPES. */
export type FieldErrorType = keyof typeof FIELD_ERROR_TYPES;

/** NO_VALUE marks a field error that prints no value (field.Invalid with omitted value). */
export const NO_VALUE: unique symbol = Symbol('no value');

/** FieldError is one problem with one field, as the apiserver's field.Error. */
export interface FieldError {
  type: FieldErrorType;
  /** field is the path in the apiserver's notation, e.g. `spec.hooks[0].name`. */
  field: string;
  badValue?: JsonValue | typeof NO_VALUE;
  detail?: string;
}

/**
 * formatValue prints a bad value as field.Error.ErrorBody does: strings
 * quoted (%q), numbers and booleans bare (%v), anything else as Go's
 * json.Marshal would (map keys sorted, <, > and & escaped), null as `null`.
 * Renderings longer than MAX_VALUE_CHARS are cut (bounded output).
 */
export function formatValue(value: JsonValue): string {
  if (typeof value === 'string') return boundValue(JSON.stringify(value));
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  return boundValue(goJson(value));
}

/**
 * MAX_VALUE_CHARS bounds a bad value as printed in a message. The apiserver
 * prints values whole; we cut them so that a 5 MiB string, echoed in the
 * aggregate message and again in its cause, can't make a 10 MiB answer.
 */
export const MAX_VALUE_CHARS = 1024;

function boundValue(rendered: string): string {
  if (rendered.length <= MAX_VALUE_CHARS) return rendered;
  return `${rendered.slice(0, MAX_VALUE_CHARS)}...(${rendered.length - MAX_VALUE_CHARS} more characters)`;
}

/** goJson renders a JSON value as Go's encoding/json Marshal does. */
export function goJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${goJson(k)}:${goJson(value[k] as JsonValue)}`).join(',')}}`;
}

/** formatNumber prints a number as Go's %v prints an int64 or float64. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    // Go %v uses %g: exponent with at least two digits, e.g. 1e+21, 1e-05.
    const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** errorBody returns the message of a field error without its field path (field.Error.ErrorBody). */
export function errorBody(error: FieldError): string {
  const { label } = FIELD_ERROR_TYPES[error.type];
  let text: string;
  if (error.type === 'Required' || error.type === 'Forbidden' || error.type === 'TooLong' || error.type === 'Internal' || error.badValue === NO_VALUE) {
    text = label;
  } else {
    text = `${label}: ${formatValue(error.badValue === undefined ? null : error.badValue)}`;
  }
  if (error.detail) text += `: ${error.detail}`;
  return text;
}

/** errorString returns `<field>: <body>`, the apiserver's field.Error.Error(). */
export function errorString(error: FieldError): string {
  return error.field === '' ? errorBody(error) : `${error.field}: ${errorBody(error)}`;
}

/** toStatusCause converts a field error to a metav1.StatusCause. */
export function toStatusCause(error: FieldError): StatusCause {
  return { reason: FIELD_ERROR_TYPES[error.type].reason, message: errorBody(error), field: error.field };
}

/** aggregateMessage joins errors as the apiserver's utilerrors.NewAggregate prints them. */
export function aggregateMessage(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0] as string;
  return `[${messages.join(', ')}]`;
}
