import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversions } from '../conversion/conversion-loader.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { createApp } from '../server/app.js';
import { createConvertEndpoint } from '../server/convert-endpoint.js';
import { loadRuntimeConfig } from '../server/admission-runtime.js';
import type { RuntimeConfig } from '../server/admission-runtime.js';
import { CERT_FILES, ensureDevCertificates } from '../server/certificates.js';
import { createHttpsListener } from '../server/https-server.js';
import { parseFlags, parsePort } from './args.js';
import { createCliLogger } from './logger.js';

/** SERVE_USAGE documents `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [flags]

Serve the admission (/mutate, /validate) and conversion (/convert) webhooks over HTTPS.

Flags:
  --port N           HTTPS port (default 8443)
  --host ADDR        address to bind (default 0.0.0.0)
  --crds PATH        CRD YAML file or folder, repeatable (default manifests/crds)
  --policies PATH    policy file or folder, repeatable (default policies)
  --cert-dir DIR     folder with tls.crt/tls.key; dev certificates are generated
                     there when missing, never overwritten (default certs)
  --dns-name NAME    extra SAN for generated certificates, repeatable
  --log-level LEVEL  pino level: trace, debug, info, warn, error (default info)
`;

/** runServe starts the webhook server and resolves when it has stopped. */
export async function runServe(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    crds: { type: 'string', multiple: true },
    policies: { type: 'string', multiple: true },
    'cert-dir': { type: 'string' },
    'dns-name': { type: 'string', multiple: true },
    'log-level': { type: 'string' },
  });
  const logger = createCliLogger(values['log-level'] ?? 'info');
  const port = parsePort(values.port, 8443);
  const host = values.host ?? '0.0.0.0';
  const certDir = values['cert-dir'] ?? 'certs';
  const sources = { crdPaths: values.crds ?? ['manifests/crds'], policyPaths: values.policies ?? ['policies'] };

  const { generated } = await ensureDevCertificates(certDir, { dnsNames: values['dns-name'] ?? [] });
  if (generated) logger.info({ certDir: path.resolve(certDir) }, 'generated development certificates');
  const config: RuntimeConfig = await loadRuntimeConfig(sources);
  logger.info({ crds: config.crds.crds.map((c) => c.metadata.name) }, 'configuration loaded');

  const chain = () => config.chain;
  const conversions = await loadConversions({ policyPaths: sources.policyPaths, crds: config.crds.crds, engine: createCelExpressionEngine() });
  logger.info({ converters: conversions.converters.map((c) => `${c.group}/${c.kind}`) }, 'conversions loaded');
  const convert = createConvertEndpoint({
    handler: createConversionHandler({
      registry: () => conversions,
      onError: (err, request) => logger.error({ uid: request.uid, err: err.message }, 'converter failed'),
    }),
    logger,
  });
  const app = createApp({ mutate: createMutateHandler({ chain }), validate: createValidateHandler({ chain }), convert, logger });
  const tls = {
    cert: await readFile(path.join(certDir, CERT_FILES.cert)),
    key: await readFile(path.join(certDir, CERT_FILES.key)),
  };
  const listener = createHttpsListener({ app, tls, host, port });
  const address = await listener.listen();
  logger.info({ host: address.address, port: address.port }, 'listening');

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void listener.close().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.flush();
  return 0;
}
