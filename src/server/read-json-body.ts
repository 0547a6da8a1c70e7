import type { IncomingMessage } from 'node:http';
import { BadBodyError, BodyTooLargeError, errorMessage, UnsupportedMediaTypeError } from '../kube/errors.js';
import type { JsonValue } from '../kube/types.js';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.js';

/** DEFAULT_BODY_LIMIT is the largest body accepted: 7 MiB, as controller-runtime (an UPDATE carries two 3 MiB objects). */
export const DEFAULT_BODY_LIMIT = 7 * 1024 * 1024;

/**
 * readJsonBody reads and parses a request body exactly once. It requires a
 * JSON content type (application/json, with parameters allowed), stops
 * reading as soon as the body passes `limit` bytes (BodyTooLargeError, 413),
 * and reports an empty or undecodable body as BadBodyError (400).
 * JSON.parse keeps `__proto__` keys as plain own properties. A body that
 * nests deeper than `maxDepth` (default 1000) is a BadBodyError (400) before
 * anything walks it, so no recursive walk downstream can overflow the stack.
 */
export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT, maxDepth = DEFAULT_MAX_JSON_DEPTH): Promise<JsonValue> {
  return parseJsonBody(await readRawJsonBody(req, limit), maxDepth);
}

/**
 * readRawJsonBody is readJsonBody's reading half: the content type and size
 * checks, then the body's bytes, not parsed (to parse elsewhere, e.g. in the
 * large-review worker thread, with parseJsonBody).
 */
export async function readRawJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
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
  return readBody(req, limit);
}

/** parseJsonBody is readJsonBody's parsing half: empty, undecodable and too deeply nested bodies are BadBodyErrors (400). */
export function parseJsonBody(body: Buffer, maxDepth = DEFAULT_MAX_JSON_DEPTH): JsonValue {
  if (body.length === 0) throw new BadBodyError('request body is empty');
  let value: JsonValue;
  try {
    value = JSON.parse(body.toString('utf8')) as JsonValue;
  } catch (err) {
    throw new BadBodyError(`request body is not valid JSON: ${errorMessage(err)}`, { cause: err });
  }
  if (exceedsJsonDepth(body, value, maxDepth)) throw new BadBodyError(`request body nests arrays and objects more than ${maxDepth} levels deep`);
  return value;
}

/**
 * readBody collects the body with plain 'data'/'end' listeners (cheaper per
 * request than an async iterator), rejecting with BodyTooLargeError as soon
 * as it passes `limit` (the rest is drained, not kept).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new BadBodyError(`request body could not be read: ${err.message}`, { cause: err }));
    };
    const onAborted = () => onError(new Error('the client closed the connection'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
