/**
 * What the engine uses of node:crypto, for the page: `createHash('sha256')`
 * (the conversion layer hashes the fields a lossless copy stands for), on
 * @noble/hashes. The bundle resolves node:crypto here (build-bundle.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';

type Encoding = 'hex' | 'base64' | 'base64url';

/** Hash is the slice of node:crypto's Hash that the engine calls. */
export interface Hash {
  update(data: string | Uint8Array): Hash;
  digest(encoding: Encoding): string;
}

/** createHash returns a SHA-256 hash; any other algorithm throws, naming it. */
export function createHash(algorithm: string): Hash {
  if (algorithm !== 'sha256') throw new Error(`node:crypto in the browser playground: only sha256 is available, not ${algorithm}`);
  const hasher = sha256.create();
  const hash: Hash = {
    update(data) {
      hasher.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return hash;
    },
    digest(encoding) {
      const bytes = hasher.digest();
      if (encoding === 'hex') return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      const base64 = btoa(String.fromCharCode(...bytes));
      return encoding === 'base64' ? base64 : base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    },
  };
  return hash;
}

export default { createHash };
