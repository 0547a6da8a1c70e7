import { RE2JS } from 're2js';

/** Re2Pattern is a compiled user pattern with RE2 (linear-time) semantics. */
export interface Re2Pattern {
  /** source is the pattern as written. */
  readonly source: string;
  /** test reports whether the pattern matches anywhere in input (Go's MatchString). */
  test(input: string): boolean;
}

/** PatternSyntaxError reports a pattern that RE2 (and so the apiserver) rejects. */
export class PatternSyntaxError extends Error {
  readonly code = 'PCL_ERR_PATTERN';
  constructor(pattern: string, cause: unknown) {
    super(`invalid pattern ${JSON.stringify(pattern)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PatternSyntaxError';
  }
}

const cache = new Map<string, Re2Pattern>();

/**
 * compileRe2 compiles a user-supplied pattern with re2js, so that matching
 * takes linear time whatever the pattern (no catastrophic backtracking), with
 * the same syntax Go's regexp accepts. Compiled patterns are shared. Throws
 * PatternSyntaxError for patterns RE2 rejects (e.g. lookahead, backrefs).
 */
export function compileRe2(pattern: string): Re2Pattern {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new PatternSyntaxError(pattern, err);
  }
  const compiled: Re2Pattern = { source: pattern, test: (input) => re.test(input) };
  cache.set(pattern, compiled);
  return compiled;
}
