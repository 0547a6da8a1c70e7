import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * The webhook routes (POST /validate, /mutate, /convert) run on node's own
 * request and response objects, not through express: the router, the
 * request/response prototypes and res.json cost more per review than the
 * review itself. Express keeps serving everything else (app.ts).
 */

/** RawEndpoint is a route handler on node's own request and response. */
export type RawEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** sendJson answers `status` with `body` as JSON (content-length set, one write). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** sendJsonText answers `status` with JSON already serialized (content-length set, one write). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** pathOf returns the path of a request URL without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** queryParam returns the first value of one query parameter of a request URL, or undefined. */
export function queryParam(url: string | undefined, name: string): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined;
}
