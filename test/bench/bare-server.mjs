import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

/*
 * The bare server: the practical limit of Node on this machine for the same
 * wire work. node:https with the same TLS settings as Portcullis, reads the
 * body, JSON.parse's it once and answers an allowed AdmissionReview with the
 * uid echoed (or, for a ConversionReview, every object with its apiVersion
 * set to the desired one). No framework, no validation, no logging.
 *
 * Plain JavaScript, run by plain node (no TypeScript loader), so its memory
 * figures are those of node:https alone. With WORKERS > 1 it forks that many
 * node:cluster workers on the same port (the scaling reference for
 * `serve --workers`).
 *
 *   node test/bench/bare-server.mjs <port> <certDir> [WORKERS]
 */

const [portArg, certDir, workersArg = '1'] = process.argv.slice(2);
if (portArg === undefined || certDir === undefined) throw new Error('usage: bare-server.mjs <port> <certDir> [workers]');
const workers = Number(workersArg);

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
} else {
  serve();
}

function serve() {
  const server = createServer(
    {
      cert: readFileSync(`${certDir}/tls.crt`),
      key: readFileSync(`${certDir}/tls.key`),
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        let answer;
        if (review.kind === 'ConversionReview') {
          const { uid, desiredAPIVersion, objects } = review.request;
          const convertedObjects = objects.map((o) => ({ ...o, apiVersion: desiredAPIVersion }));
          answer = { apiVersion: review.apiVersion, kind: 'ConversionReview', response: { uid, result: { status: 'Success' }, convertedObjects } };
        } else {
          answer = { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } };
        }
        const body = JSON.stringify(answer);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  server.listen(Number(portArg), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
