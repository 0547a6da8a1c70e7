import { compileRe2 } from '../kube/re2.js';

/*
 * Network formats as kube-openapi's strfmt registry checks them: Go's
 * net.ParseIP / ParseCIDR in their "sloppy" variant (leading zeros allowed,
 * k8s.io/utils/net), net.ParseMAC, the registry's hostname pattern and
 * url.ParseRequestURI.
 */

/** parseIPv4 parses dotted-quad IPv4 as Go's sloppy parser does (leading zeros allowed); null when invalid. */
function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) return null;
    const n = Number(part.replace(/^0+(?=.)/, '').slice(0, 4));
    if (n > 255 || part.replace(/^0+(?=.)/, '').length > 3) return null;
    out.push(n);
  }
  return out;
}

/** parseIPv6 tells whether Go's net.ParseIP reads s as IPv6 (groups of 1-4 hex digits, one `::`, an optional trailing IPv4, no zone). */
function parseIPv6(s: string): boolean {
  let groups = 0;
  let ellipsis = false;
  let rest = s;
  if (rest.startsWith('::')) {
    ellipsis = true;
    rest = rest.slice(2);
    if (rest === '') return true;
  }
  while (rest !== '') {
    const hex = /^[0-9A-Fa-f]{1,4}/.exec(rest);
    if (hex === null) return false;
    // An IPv4 tail counts as two groups.
    if (rest.length > hex[0].length && rest[hex[0].length] === '.') {
      if ((!ellipsis && groups !== 6) || groups + 2 > 8 || parseIPv4(rest) === null) return false;
      groups += 2;
      rest = '';
      break;
    }
    groups++;
    rest = rest.slice(hex[0].length);
    if (rest === '') break;
    if (!rest.startsWith(':') || groups === 8) return false;
    rest = rest.slice(1);
    if (rest.startsWith(':')) {
      if (ellipsis) return false;
      ellipsis = true;
      rest = rest.slice(1);
      if (rest === '') break;
    } else if (rest === '') return false;
  }
  return ellipsis ? groups < 8 : groups === 8;
}

/** isIPv4Format is strfmt's ipv4: Go parses it (sloppily) and it holds a dot, so `::ffff:1.2.3.4` passes too. */
export function isIPv4Format(s: string): boolean {
  return s.includes('.') && (parseIPv4(s) !== null || parseIPv6(s));
}

/** isIPv6Format is strfmt's ipv6: Go's net.ParseIP reads it and it holds a colon. */
export function isIPv6Format(s: string): boolean {
  return s.includes(':') && (parseIPv4(s) !== null || parseIPv6(s));
}

/** isCidrFormat is strfmt's cidr: Go's ParseCIDR (sloppy): an IP, `/`, a decimal prefix length within the address size. */
export function isCidrFormat(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(mask)) return false;
  const bits = Number(mask.replace(/^0+(?=.)/, '').slice(0, 8));
  if (parseIPv4(ip) !== null) return bits <= 32;
  return parseIPv6(ip) && bits <= 128;
}

/** isMacFormat is strfmt's mac: Go's net.ParseMAC (6, 8 or 20 octets; `:` or `-` between pairs, or `.` between groups of four). */
export function isMacFormat(s: string): boolean {
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    const sep = s[2] as string;
    for (let i = 0; i < n; i++) {
      const at = 3 * i;
      if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(at, at + 2)) || (i < n - 1 && s[at + 2] !== sep)) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    for (let i = 0; i < n / 2; i++) {
      const at = 5 * i;
      if (!/^[0-9A-Fa-f]{4}$/.test(s.slice(at, at + 4)) || (i < n / 2 - 1 && s[at + 4] !== '.')) return false;
    }
    return true;
  }
  return false;
}

const HOSTNAME = compileRe2(
  '^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$',
);

/** isHostnameFormat is strfmt.IsHostname: its RFC 1034 pattern (letters and symbols of any script), at most 255 bytes, labels at most 63 bytes. */
export function isHostnameFormat(s: string): boolean {
  if (!HOSTNAME.test(s) || Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((label) => Buffer.byteLength(label) <= 63);
}

/**
 * isRequestUriFormat is strfmt's uri, Go's url.ParseRequestURI: an absolute
 * URI (`scheme:…`) or an absolute path, no control characters, valid `%`
 * escapes, and for `scheme://host…` a host Go accepts with a numeric port.
 */
export function isRequestUriFormat(s: string): boolean {
  if (s === '' || /[\u0000-\u001f\u007f]/.test(s)) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return false;
  if (s.startsWith('/')) return true;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (scheme === null) return false;
  const rest = s.slice(scheme[0].length);
  if (!rest.startsWith('//')) return true;
  const authority = (/^\/\/([^/?]*)/.exec(rest) as RegExpExecArray)[1] as string;
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    const after = host.slice(close + 1);
    return after === '' || /^:[0-9]*$/.test(after);
  }
  const colon = host.lastIndexOf(':');
  const port = colon < 0 ? '' : host.slice(colon + 1);
  if (colon >= 0 && !/^[0-9]*$/.test(port)) return false;
  return !/[\s<>"{}|\\^`]/.test(colon < 0 ? host : host.slice(0, colon));
}
