/*
 * The `duration` format as kube-openapi's strfmt checks it (ParseDuration):
 * a Go duration (time.ParseDuration: `1h30m`, `-1.5s`, `0`), or else any
 * `<digits><spaces><unit>` run in the string whose unit names a time unit,
 * Scala style (`5 minutes`, `3 days`, `1w`).
 */

const GO_UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const MAX_NANOS = 9223372036854775807;

/** isGoDuration tells whether Go's time.ParseDuration accepts a string (overflow included). */
export function isGoDuration(input: string): boolean {
  let s = input;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return true;
  if (s === '') return false;
  let total = 0;
  while (s !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const [whole, int = '', frac] = number;
    if (int === '' && (frac === undefined || frac === '')) return false;
    s = s.slice(whole.length);
    const unitMatch = /^[^0-9.]+/.exec(s);
    if (unitMatch === null) return false;
    const unit = GO_UNITS[unitMatch[0]];
    if (unit === undefined) return false;
    s = s.slice(unitMatch[0].length);
    const digits = int.replace(/^0+/, '');
    if (digits.length > 19 || Number(digits) > MAX_NANOS) return false;
    total += Number(`${int || '0'}.${frac ?? ''}0`) * unit;
    if (total > MAX_NANOS) return false;
  }
  return true;
}

/** SCALA_UNITS lists each unit's spellings; the last one also matches as a prefix (`minutes`, `seconds`). */
const SCALA_UNITS: readonly (readonly string[])[] = [
  ['ns', 'nano'],
  ['us', 'µs', 'micro'],
  ['ms', 'milli'],
  ['s', 'sec'],
  ['m', 'min'],
  ['h', 'hr', 'hour'],
  ['d', 'day'],
  ['w', 'wk', 'week'],
];

/** isStrfmtDuration is strfmt.IsDuration: Go's syntax, or any digits-and-unit run Scala style. */
export function isStrfmtDuration(input: string): boolean {
  if (isGoDuration(input)) return true;
  let ok = false;
  for (const match of input.matchAll(/([0-9]+)[\t\n\f\r ]*([A-Za-zµ]+)/g)) {
    // strconv.Atoi fails on a number past int64, and then the whole string is refused.
    const digits = (match[1] as string).replace(/^0+(?=.)/, '');
    if (digits.length > 19 || (digits.length === 19 && digits > '9223372036854775807')) return false;
    const unit = (match[2] as string).toLowerCase();
    for (const variants of SCALA_UNITS) {
      const last = variants.length - 1;
      if (variants.some((variant, i) => (i === last && unit.startsWith(variant)) || variant === unit)) ok = true;
    }
  }
  return ok;
}
