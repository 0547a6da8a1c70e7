import type { IncomingMessage } from 'node:http';
import { BadBodyError, BodyTooLargeError, UnsupportedMediaTypeError } from '../kube/errors.js';
import type { JsonValue } from '../kube/types.js';

/** DEFAULT_BODY_LIMIT is the largest body accepted: 7 MiB, as controller-runtime (an UPDATE carries two 3 MiB objects). */
export const DEFAULT_BODY_LIMIT = 7 * 1024 * 1024;

/**
 * readJsonBody reads and parses a request body exactly once. It requires a
 * JSON content type (application/json, with parameters allowed), stops
 * reading as soon as the body passes `limit` bytes (BodyTooLargeError, 413),
 * and reports an empty or undecodable body as BadBodyError (400).
 * JSON.parse keeps `__proto__` keys as plain own properties.
 */
export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<JsonValue> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') {
    req.resume();
    throw new UnsupportedMediaTypeError(`contentType=${type === '' ? '(none)' : type}, expected application/json`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  if (size === 0) throw new BadBodyError('request body is empty');
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new BadBodyError(`request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
