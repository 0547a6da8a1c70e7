/*
 * The `email` format as kube-openapi's strfmt checks it: Go's
 * net/mail.ParseAddress accepts the string as exactly one address, either
 * an addr-spec (`local@domain`, local a dot-atom or a quoted string, domain
 * a dot-atom or a domain literal) or `Display Name <local@domain>`. Atoms
 * take any visible ASCII but the specials, and any non-ASCII character;
 * no top-level domain is required (`root@localhost`).
 */

const SPECIALS = new Set(['(', ')', '[', ']', ';', '@', '\\', ',', '<', '>', '"', ':']);

function isVchar(c: string): boolean {
  const code = c.codePointAt(0) as number;
  return (code >= 0x21 && code <= 0x7e) || code >= 0x80;
}

/** Scanner walks a string by code points. */
interface Scanner {
  chars: string[];
  at: number;
}

function peek(s: Scanner): string | undefined {
  return s.chars[s.at];
}

function skipSpace(s: Scanner): void {
  while (peek(s) === ' ' || peek(s) === '\t') s.at++;
}

/** atom reads a dot-atom (dot) or an atom; null when empty or its dots are misplaced. */
function atom(s: Scanner, dot: boolean, permissive = false): string | null {
  const start = s.at;
  for (let c = peek(s); c !== undefined; c = peek(s)) {
    const ok = c === '.' ? dot : SPECIALS.has(c) ? permissive && !['<', '>', '"', ':'].includes(c) : isVchar(c);
    if (!ok) break;
    s.at++;
  }
  const text = s.chars.slice(start, s.at).join('');
  if (text === '' || (dot && (text.startsWith('.') || text.endsWith('.') || text.includes('..')))) return null;
  return text;
}

/** quoted reads a quoted string (the opening quote at the cursor); null when unterminated or holding a bad character. */
function quoted(s: Scanner): string | null {
  s.at++;
  let text = '';
  for (;;) {
    const c = peek(s);
    if (c === undefined) return null;
    s.at++;
    if (c === '"') return text;
    if (c === '\\') {
      const next = peek(s);
      if (next === undefined || !(isVchar(next) || next === ' ' || next === '\t')) return null;
      s.at++;
      text += next;
    } else if (isVchar(c) || c === ' ' || c === '\t') text += c;
    else return null;
  }
}

function addrSpec(s: Scanner): boolean {
  skipSpace(s);
  const local = peek(s) === '"' ? quoted(s) : atom(s, true);
  if (local === null || local === '' || peek(s) !== '@') return false;
  s.at++;
  skipSpace(s);
  if (peek(s) === '[') {
    const close = s.chars.indexOf(']', s.at);
    if (close < 0 || s.chars.slice(s.at + 1, close).some((c) => c === '[' || c === '\\' || !isVchar(c))) return false;
    s.at = close + 1;
    return true;
  }
  return atom(s, true) !== null;
}

/** skipComment skips a parenthesised comment (nesting and escapes allowed); false when unterminated. */
function skipComment(s: Scanner): boolean {
  let depth = 0;
  do {
    const c = peek(s);
    if (c === undefined) return false;
    s.at++;
    if (c === '\\') s.at++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
  } while (depth > 0);
  return true;
}

/** isMailAddress is Go's net/mail.ParseAddress succeeding on the whole string. */
export function isMailAddress(input: string): boolean {
  const bare: Scanner = { chars: [...input], at: 0 };
  if (addrSpec(bare)) {
    skipSpace(bare);
    if (peek(bare) === '(' && !skipComment(bare)) return false;
    skipSpace(bare);
    if (bare.at === bare.chars.length) return true;
  }
  // name-addr: a phrase of atoms and quoted strings, then <addr-spec>.
  const named: Scanner = { chars: [...input], at: 0 };
  skipSpace(named);
  while (peek(named) !== '<') {
    if (peek(named) === undefined) return false;
    if ((peek(named) === '"' ? quoted(named) : atom(named, true, true)) === null) return false;
    skipSpace(named);
  }
  named.at++;
  if (!addrSpec(named) || peek(named) !== '>') return false;
  named.at++;
  skipSpace(named);
  return named.at === named.chars.length;
}
