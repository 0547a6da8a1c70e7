import { deflateSync, Inflate, strFromU8, strToU8 } from 'fflate';
import type { PlaygroundCase } from './engine.js';
import { errorMessage } from '../kube/errors.js';

/** SHARE_VERSION prefixes every encoded case, so a later format can still read old links. */
export const SHARE_VERSION = '1';

/** MAX_SHARED_BYTES bounds what a link may inflate to (a link is untrusted input). */
export const MAX_SHARED_BYTES = 4 * 1024 * 1024;

const FIELDS: readonly (keyof PlaygroundCase)[] = ['crds', 'policies', 'object', 'oldObject', 'operation', 'endpoint', 'user', 'groups', 'namespace', 'subResource', 'dryRun'];

/** encodeCase packs a case into URL-safe text: JSON, deflated, base64url, behind a version. */
export function encodeCase(input: PlaygroundCase): string {
  const packed = deflateSync(strToU8(JSON.stringify(FIELDS.map((f) => input[f]))), { level: 9 });
  return `${SHARE_VERSION}.${toBase64Url(packed)}`;
}

/**
 * decodeCase reads what encodeCase wrote; anything else (a foreign version,
 * broken base64, a bomb larger than MAX_SHARED_BYTES, wrong types) throws an
 * Error saying what is wrong with the link.
 */
export function decodeCase(text: string): PlaygroundCase {
  const dot = text.indexOf('.');
  if (dot < 0 || text.slice(0, dot) !== SHARE_VERSION) throw new Error(`shared link: unknown format ${JSON.stringify(text.slice(0, Math.max(dot, 0)))} (this page reads version ${SHARE_VERSION})`);
  let json: string;
  try {
    json = strFromU8(boundedInflate(fromBase64Url(text.slice(dot + 1))));
  } catch (err) {
    throw new Error(`shared link: cannot be read: ${errorMessage(err)}`, { cause: err });
  }
  const values: unknown = JSON.parse(json);
  if (!Array.isArray(values) || values.length !== FIELDS.length) throw new Error('shared link: not a playground case');
  const [crds, policies, object, oldObject, operation, endpoint, user, groups, namespace, subResource, dryRun] = values as unknown[];
  const strings = [crds, policies, object, oldObject, user, namespace, subResource];
  if (!strings.every((s) => typeof s === 'string')) throw new Error('shared link: a text field is not text');
  if (!['', 'CREATE', 'UPDATE', 'DELETE'].includes(operation as string)) throw new Error(`shared link: unknown operation ${JSON.stringify(operation)}`);
  if (endpoint !== 'mutate' && endpoint !== 'validate') throw new Error(`shared link: unknown endpoint ${JSON.stringify(endpoint)}`);
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw new Error('shared link: groups must be a list of text');
  return {
    crds: crds as string,
    policies: policies as string,
    object: object as string,
    oldObject: oldObject as string,
    operation: operation as PlaygroundCase['operation'],
    endpoint,
    user: user as string,
    groups: groups as string[],
    namespace: namespace as string,
    subResource: subResource as string,
    dryRun: dryRun === true,
  };
}

// Inflating chunk by chunk stops a small link that would inflate to gigabytes as soon as it passes the bound.
function boundedInflate(packed: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflater = new Inflate((chunk) => {
    size += chunk.length;
    if (size > MAX_SHARED_BYTES) throw new Error(`inflates to more than ${MAX_SHARED_BYTES} bytes`);
    chunks.push(chunk);
  });
  inflater.push(packed, true);
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// btoa/atob exist in browsers and in Node; they take "binary strings", so bytes go through in chunks.
function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
