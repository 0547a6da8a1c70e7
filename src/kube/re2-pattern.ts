import { compileRe2 as compileRe2Engine, Re2SyntaxError } from './re2.js';

/** Re2Pattern is a compiled user pattern with RE2 (linear-time) semantics. */
export interface Re2Pattern {
  /** source is the pattern as written. */
  readonly source: string;
  /** test reports whether the pattern matches anywhere in input (Go's MatchString). */
  test(input: string): boolean;
}

/** PatternSyntaxError reports a pattern that RE2 (and so the apiserver) rejects; it is src/kube/re2.ts's Re2SyntaxError. */
export const PatternSyntaxError = Re2SyntaxError;

/**
 * compileRe2 compiles a user-supplied pattern (CRD `pattern`, policy name and
 * label patterns) with RE2 semantics: Go's syntax, matching in linear time
 * whatever the pattern. Throws PatternSyntaxError for patterns RE2 rejects
 * (e.g. lookahead, backrefs), so they fail at load.
 */
export function compileRe2(pattern: string): Re2Pattern {
  const re = compileRe2Engine(pattern);
  return { source: pattern, test: (input) => re.test(input) };
}
