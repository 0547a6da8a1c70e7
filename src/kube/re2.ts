import { RE2JS } from 're2js';
import { errorMessage, PortcullisError } from './errors.js';

/** RE2_CACHE_SIZE bounds how many compiled patterns are kept (patterns can come from request data via CEL). */
export const RE2_CACHE_SIZE = 500;

/** Re2SyntaxError reports a pattern that RE2 (and so Go and the apiserver) rejects. */
export class Re2SyntaxError extends PortcullisError {
  constructor(pattern: string, cause: unknown) {
    super('PCL_ERR_PATTERN', `invalid pattern ${JSON.stringify(pattern)}: ${errorMessage(cause)}`, { cause });
  }
}

const cache = new Map<string, RE2JS>();

/**
 * compileRe2Program compiles a user-supplied pattern with re2js: Go's RE2
 * syntax and matching in linear time whatever the pattern, so no pattern can
 * backtrack catastrophically. It returns the re2js program, for callers that
 * need more than a match (CEL's find and findAll). Compiled patterns are
 * shared through a bounded cache (oldest dropped first). Throws
 * Re2SyntaxError for patterns RE2 rejects (lookaround, backreferences, …).
 */
export function compileRe2Program(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new Re2SyntaxError(pattern, err);
  }
  if (cache.size >= RE2_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** Re2Pattern is a compiled user pattern with RE2 (linear-time) semantics. */
export interface Re2Pattern {
  /** source is the pattern as written. */
  readonly source: string;
  /** test reports whether the pattern matches anywhere in input (Go's MatchString). */
  test(input: string): boolean;
}

/**
 * compileRe2 compiles a user-supplied pattern (CRD `pattern`, policy name and
 * label patterns, formats) with RE2 semantics, as compileRe2Program does, and
 * returns it as a Re2Pattern. Throws Re2SyntaxError for patterns RE2 rejects,
 * so they fail at load.
 */
export function compileRe2(pattern: string): Re2Pattern {
  const re = compileRe2Program(pattern);
  return { source: pattern, test: (input) => re.test(input) };
}
