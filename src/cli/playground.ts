import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, UsageError } from './args.js';

/** PLAYGROUND_USAGE documents `portcullis playground`. */
export const PLAYGROUND_USAGE = `Usage: portcullis playground [flags]

Serve the browser playground on this machine: paste CRDs, policies and an
object, and see what kubectl would print. The page runs the engine itself;
nothing is sent to this server but requests for the page's files.

Flags:
      --address ADDR   address to listen on (default 127.0.0.1)
      --port N         port to listen on (default 8080; 0 picks a free one)
      --dir DIR        the built page (default: dist/playground-web of this install,
                       made by npm run build)
`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** servedFiles lists the page's files: the folder and its subfolders (the CEL engine lives in cel/). */
async function servedFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const name = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await servedFiles(dir, name)));
    else if (Object.hasOwn(TYPES, path.extname(entry.name))) out.push(name);
  }
  return out;
}

/**
 * runPlayground serves the static playground folder over plain HTTP until
 * SIGINT or SIGTERM. Only the files that exist in the folder at start are
 * served (no path from the request reaches the file system); the address is
 * loopback unless --address says otherwise.
 */
export async function runPlayground(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values } = parseFlags(argv, { address: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' } });
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(values.port)}`);
  const dir = path.resolve(values.dir ?? fileURLToPath(new URL('../playground-web/', import.meta.url)));
  let names: string[];
  try {
    names = await servedFiles(dir);
  } catch {
    io.stderr(`portcullis playground: ${dir}: no built playground there (run npm run build, or give --dir)\n`);
    return 2;
  }
  if (!names.includes('index.html')) {
    io.stderr(`portcullis playground: ${dir}: no index.html (run npm run build, or give --dir)\n`);
    return 2;
  }
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of names) files.set(`/${name}`, { body: await readFile(path.join(dir, name)), type: TYPES[path.extname(name)] as string });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = (req.url ?? '/').split('?')[0] as string;
    const file = files.get(url === '/' ? '/index.html' : url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  const address = values.address ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  const bound = server.address();
  const shown = typeof bound === 'object' && bound ? bound.port : port;
  io.stdout(`playground: http://${address.includes(':') ? `[${address}]` : address}:${shown}/\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
