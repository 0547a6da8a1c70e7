import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

/*
 * The bare server: the practical limit of Node on this machine for the same
 * wire work. node:https with the same TLS settings as Portcullis, reads the
 * body, JSON.parse's it once and answers an allowed AdmissionReview with the
 * uid echoed (or, for a ConversionReview, every object with its apiVersion
 * set to the desired one). No framework, no validation, no logging.
 *
 * Run as a child of test/bench/run.ts: node --import tsx test/bench/bare-server.ts <port> <certDir>
 */

const [portArg, certDir] = process.argv.slice(2);
if (portArg === undefined || certDir === undefined) throw new Error('usage: bare-server.ts <port> <certDir>');

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
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      let answer: unknown;
      if (review.kind === 'ConversionReview') {
        const { uid, desiredAPIVersion, objects } = review.request;
        const convertedObjects = objects.map((o: Record<string, unknown>) => ({ ...o, apiVersion: desiredAPIVersion }));
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
