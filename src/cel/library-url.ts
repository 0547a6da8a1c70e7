import type { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './library.js';
import type { CelLibrary } from './library.js';

/**
 * KubeUrl is a parsed absolute URI or absolute path, as Go's url.ParseRequestURI
 * reads it for the Kubernetes CEL URL library.
 */
export class KubeUrl {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly escapedPath: string,
    readonly rawQuery: string,
  ) {}
}

const URL_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?$/;

/** parseUrl parses a URL like url.ParseRequestURI: an absolute URI or an absolute path, no fragment. Returns null when invalid. */
export function parseUrl(s: string): KubeUrl | null {
  if (s === '' || /[\s\x00-\x1f\x7f]/.test(s) || s.includes('#')) return null;
  const m = URL_RE.exec(s);
  if (m === null) return null;
  const [, scheme = '', authority, path = '', query = ''] = m as unknown as [string, string | undefined, string | undefined, string | undefined, string | undefined];
  if (scheme === '' && !path.startsWith('/')) return null;
  if (scheme !== '' && authority === undefined && !path.startsWith('/')) return null;
  const host = authority === undefined ? '' : authority.replace(/^[^@]*@/, '');
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return null;
  return new KubeUrl(scheme, host, path, query);
}

function url(s: string): KubeUrl {
  const u = parseUrl(s);
  if (u === null) throw new CelRuntimeError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
  return u;
}

function hostname(u: KubeUrl): string {
  if (u.host.startsWith('[')) {
    const end = u.host.indexOf(']');
    return end < 0 ? '' : u.host.slice(1, end);
  }
  const colon = u.host.lastIndexOf(':');
  return colon < 0 ? u.host : u.host.slice(0, colon);
}

function port(u: KubeUrl): string {
  const close = u.host.lastIndexOf(']');
  const colon = u.host.lastIndexOf(':');
  return colon > close ? u.host.slice(colon + 1) : '';
}

function queryMap(u: KubeUrl): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (u.rawQuery === '') return out;
  for (const pair of u.rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const decode = (v: string) => {
      try {
        return decodeURIComponent(v.replace(/\+/g, ' '));
      } catch {
        return v;
      }
    };
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/**
 * URL_LIBRARY is the Kubernetes CEL URL library
 * (k8s.io/apiserver/pkg/cel/library/urls.go): url(), isURL() and the URL
 * accessors getScheme, getHost, getHostname, getPort, getEscapedPath and
 * getQuery.
 */
export const URL_LIBRARY: CelLibrary = {
  name: 'url',
  functions: ['url(string): URL', 'isURL(string): bool', 'URL.getScheme(): string', 'URL.getHost(): string', 'URL.getHostname(): string', 'URL.getPort(): string', 'URL.getEscapedPath(): string', 'URL.getQuery(): map<string, list<string>>'],
  register(env: Environment): void {
    env
      .registerType('URL', KubeUrl)
      .registerFunction('url(string): URL', url)
      .registerFunction('isURL(string): bool', (s: string) => parseUrl(s) !== null)
      .registerFunction('URL.getScheme(): string', (u: KubeUrl) => u.scheme)
      .registerFunction('URL.getHost(): string', (u: KubeUrl) => u.host)
      .registerFunction('URL.getHostname(): string', hostname)
      .registerFunction('URL.getPort(): string', port)
      .registerFunction('URL.getEscapedPath(): string', (u: KubeUrl) => u.escapedPath)
      .registerFunction('URL.getQuery(): map<string, list<string>>', queryMap);
  },
};
