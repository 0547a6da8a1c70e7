/**
 * Durations as Go writes them (time.ParseDuration): the syntax of the
 * apiserver's `?timeout=` parameter, of Kubernetes' own duration flags, and
 * of every duration flag Portcullis takes. One parser for all of them, exact
 * to Go's: int64 nanoseconds (overflow is an error), fractions scaled the
 * way Go scales them, a unit after every number except a lone "0".
 */

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_MAX = (1n << 63n) - 1n;
const LIMIT = 1n << 63n;
// The apiserver writes `?timeout=10s` on every admission call: skip the exact path for it.
const WHOLE_SECONDS = /^[0-9]{1,6}s$/;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Cursor {
  text: string;
  at: number;
}

// Digits as an integer; undefined when it passes 2^63 (Go: "invalid duration").
function leadingInt(cur: Cursor): bigint | undefined {
  let x = 0n;
  while (isDigit(cur.text[cur.at])) {
    x = x * 10n + BigInt(cur.text.charCodeAt(cur.at) - 48);
    if (x > LIMIT) return undefined;
    cur.at += 1;
  }
  return x;
}

// Fraction digits: the value and its scale; digits past int64 precision are read and ignored, as Go does.
function leadingFraction(cur: Cursor): { f: bigint; scale: number } {
  let f = 0n;
  let scale = 1;
  let overflow = false;
  while (isDigit(cur.text[cur.at])) {
    const digit = BigInt(cur.text.charCodeAt(cur.at) - 48);
    cur.at += 1;
    if (overflow) continue;
    if (f > INT64_MAX / 10n) {
      overflow = true;
      continue;
    }
    f = f * 10n + digit;
    scale *= 10;
  }
  return { f, scale };
}

function unitAt(cur: Cursor): bigint | undefined {
  const from = cur.at;
  while (cur.at < cur.text.length && cur.text[cur.at] !== '.' && !isDigit(cur.text[cur.at])) cur.at += 1;
  return NS_PER_UNIT[cur.text.slice(from, cur.at)];
}

// One number and its unit, in nanoseconds; undefined when malformed or too large.
function component(cur: Cursor): bigint | undefined {
  const start = cur.at;
  const whole = leadingInt(cur);
  if (whole === undefined) return undefined;
  const hadWhole = cur.at > start;
  let fraction = { f: 0n, scale: 1 };
  let hadFraction = false;
  if (cur.text[cur.at] === '.') {
    cur.at += 1;
    const before = cur.at;
    fraction = leadingFraction(cur);
    hadFraction = cur.at > before;
  }
  if (!hadWhole && !hadFraction) return undefined;
  const unit = unitAt(cur);
  if (unit === undefined || whole > LIMIT / unit) return undefined;
  let v = whole * unit;
  if (fraction.f > 0n) v += BigInt(Math.trunc(Number(fraction.f) * (Number(unit) / fraction.scale)));
  return v > LIMIT ? undefined : v;
}

/**
 * parseGoDurationNanos reads a Go duration ("10s", "1m30s", "1.5h", "-2s",
 * "1h2m3s4ms5us6ns", "0") into int64 nanoseconds exactly as
 * time.ParseDuration does, or returns undefined where Go returns an error.
 */
export function parseGoDurationNanos(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 128) return undefined;
  const cur: Cursor = { text, at: 0 };
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    cur.at = 1;
  }
  if (text.slice(cur.at) === '0') return 0n;
  if (cur.at === text.length) return undefined;
  let total = 0n;
  while (cur.at < text.length) {
    const v = component(cur);
    if (v === undefined) return undefined;
    total += v;
    if (total > LIMIT) return undefined;
  }
  if (negative) return -total;
  return total > INT64_MAX ? undefined : total;
}

/**
 * parseGoDuration is parseGoDurationNanos in milliseconds (a float: "1.5us"
 * is 0.0015), or undefined when the text is not a Go duration.
 */
export function parseGoDuration(text: string): number | undefined {
  if (WHOLE_SECONDS.test(text)) return Number(text.slice(0, -1)) * 1000;
  const ns = parseGoDurationNanos(text);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}
