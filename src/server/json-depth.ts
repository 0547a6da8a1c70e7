/** DEFAULT_MAX_JSON_DEPTH is the deepest nesting of arrays and objects a request body may have (the review's own envelope included). */
export const DEFAULT_MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * exceedsJsonDepth tells whether raw JSON text nests arrays and objects
 * deeper than `maxDepth`, scanning bytes iteratively before anything parses
 * or walks the value. JSON.parse itself is iterative in V8, but every
 * recursive walk after it (validation, defaulting, deep copies, patches,
 * JSON.stringify) would overflow the stack near 10^4 levels, so the HTTP
 * layer refuses such bodies up front. Brackets inside strings don't count;
 * malformed text is left for JSON.parse to reject. Linear in the body size
 * (strings are skipped with native indexOf), no allocation; bodies with
 * fewer opening brackets than `maxDepth` return after a native count.
 */
export function exceedsJsonDepth(body: Buffer, maxDepth = DEFAULT_MAX_JSON_DEPTH): boolean {
  if (!hasManyOpenings(body, maxDepth)) return false;
  let depth = 0;
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === QUOTE) {
      // Skip the string natively: find its closing quote (one not escaped by an odd run of backslashes).
      const close = closingQuote(body, i + 1);
      if (close < 0) return false;
      i = close + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
    i++;
  }
  return false;
}

function closingQuote(body: Buffer, from: number): number {
  for (let at = body.indexOf(QUOTE, from); at >= 0; at = body.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    for (let k = at - 1; k >= from && body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** hasManyOpenings tells whether the body has more than `count` opening brackets at all (native indexOf: the common, shallow case costs microseconds). */
function hasManyOpenings(body: Buffer, count: number): boolean {
  let seen = 0;
  for (const opening of [OPEN_BRACE, OPEN_BRACKET]) {
    for (let at = body.indexOf(opening); at !== -1; at = body.indexOf(opening, at + 1)) {
      if (++seen > count) return true;
    }
  }
  return false;
}
