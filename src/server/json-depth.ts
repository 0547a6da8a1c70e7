import type { JsonValue } from '../kube/types.js';

/** DEFAULT_MAX_JSON_DEPTH is the deepest nesting of arrays and objects a request body may have (the review's own envelope included). */
export const DEFAULT_MAX_JSON_DEPTH = 1000;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * exceedsJsonDepth tells whether a decoded body (`value`, parsed from the
 * raw `body`) nests arrays and objects deeper than `maxDepth`. JSON.parse is
 * iterative in V8 and copes with any depth, but every recursive walk after
 * it (validation, defaulting, deep copies, patches, JSON.stringify) would
 * overflow the stack near 10^4 levels, so the HTTP layer refuses such bodies
 * before anything walks them. A body with no more opening brackets than
 * `maxDepth` can't be too deep: that case (nearly every real review) costs a
 * native byte count; otherwise an iterative walk stops at the first value
 * past the bound. Never recursive, so any depth is safe to check.
 */
export function exceedsJsonDepth(body: Buffer, value: JsonValue, maxDepth = DEFAULT_MAX_JSON_DEPTH): boolean {
  if (!hasManyOpenings(body, maxDepth)) return false;
  const values: JsonValue[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const current = values.pop() as JsonValue;
    const depth = (depths.pop() as number) + 1;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth);
      }
    }
  }
  return false;
}

/** hasManyOpenings tells whether the body has more than `count` opening brackets at all (native indexOf: microseconds for a typical review). */
function hasManyOpenings(body: Buffer, count: number): boolean {
  let seen = 0;
  for (const opening of [OPEN_BRACE, OPEN_BRACKET]) {
    for (let at = body.indexOf(opening); at !== -1; at = body.indexOf(opening, at + 1)) {
      if (++seen > count) return true;
    }
  }
  return false;
}
