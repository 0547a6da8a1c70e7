/**
 * describeValue names a JSON value's type for error messages without echoing
 * its content (only short strings are shown, quoted).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 64 ? JSON.stringify(value) : 'a long string';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
