import path from 'node:path';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversions } from '../conversion/conversion-loader.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { createApp } from '../server/app.js';
import type { ConverterRegistry } from '../conversion/converter-registry.js';
import { createConvertEndpoint } from '../server/convert-endpoint.js';
import { createConfigReloader } from '../server/config-reloader.js';
import { loadRuntimeConfig } from '../server/admission-runtime.js';
import type { RuntimeConfig, RuntimeSources } from '../server/admission-runtime.js';
import { ensureDevCertificates } from '../server/certificates.js';
import { parseFlags, parsePort } from './args.js';
import { createCliLogger } from './logger.js';
import { createServeRuntime, SERVE_RUNTIME_FLAGS, SERVE_RUNTIME_USAGE } from './serve-runtime.js';
import { CONTROLLER_FLAGS } from './controller-flags.js';

/** SERVE_USAGE documents `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [flags]

Serve the admission (/mutate, /validate) and conversion (/convert) webhooks over HTTPS.

Flags:
  --port N           HTTPS port (default 8443)
  --host ADDR        address to bind (default 0.0.0.0)
  --crds PATH        CRD YAML file or folder, repeatable (default manifests/crds)
  --policies PATH    policy file or folder, repeatable (default policies)
  --cert-dir DIR     folder with tls.crt/tls.key, reloaded when they change; dev
                     certificates are generated there when missing, never
                     overwritten (default certs)
  --no-dev-certs     never generate certificates: fail when tls.crt/tls.key are missing
  --dns-name NAME    extra SAN for generated certificates, repeatable
  --log-level LEVEL  pino level: trace, debug, info, warn, error (default info)
  --controller       also run the companion controller in this process (its
                     flags, e.g. --bindings, --workers, --leader-elect*, are
                     those of 'portcullis controller'; see its --help)
${SERVE_RUNTIME_USAGE}`;

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
    'no-dev-certs': { type: 'boolean' },
    controller: { type: 'boolean' },
    ...CONTROLLER_FLAGS,
    ...SERVE_RUNTIME_FLAGS,
  });
  const logger = createCliLogger(values['log-level'] ?? 'info');
  const port = parsePort(values.port, 8443);
  const host = values.host ?? '0.0.0.0';
  const certDir = values['cert-dir'] ?? 'certs';
  const sources = { crdPaths: values.crds ?? ['manifests/crds'], policyPaths: values.policies ?? ['policies'] };

  const runtime = createServeRuntime({ values, logger, host, port, certDir, sources });
  if (values['no-dev-certs'] !== true) {
    const { generated } = await ensureDevCertificates(certDir, { dnsNames: values['dns-name'] ?? [] });
    if (generated) logger.info({ certDir: path.resolve(certDir) }, 'generated development certificates');
  }
  // Policies and CRDs reload when their files change; a bad edit keeps the last good set (config-reloader.ts).
  // Conversions reload with the CRDs and policies (a Conversion's hub defaults to its CRD's storage
  // version): both load or neither does, so a bad edit keeps the last good converters too.
  const engine = createCelExpressionEngine();
  let conversions: ConverterRegistry | undefined;
  const load = async (s: RuntimeSources): Promise<RuntimeConfig> => {
    const next = await loadRuntimeConfig(s);
    const nextConversions = await loadConversions({ policyPaths: s.policyPaths, crds: next.crds.crds, engine });
    conversions = nextConversions;
    logger.info({ converters: nextConversions.converters.map((c) => `${c.group}/${c.kind}`) }, 'conversions loaded');
    return next;
  };
  const reloader = createConfigReloader({ sources, logger, registry: runtime.registry, load });
  const config: RuntimeConfig = await reloader.start();
  logger.info({ crds: config.crds.crds.map((c) => c.metadata.name), policies: config.policies.policies.length }, 'configuration loaded');

  const chain = () => runtime.recordDecisions(reloader.current().chain);
  const convert = createConvertEndpoint({
    handler: runtime.countConversions(
      createConversionHandler({
        registry: () => conversions as ConverterRegistry,
        onError: (err, request) => logger.error({ uid: request.uid, err: err.message }, 'converter failed'),
      }),
    ),
    logger,
    metrics: runtime.metrics,
  });
  const app = createApp({ mutate: createMutateHandler({ chain }), validate: createValidateHandler({ chain }), convert, logger, ...runtime.appOptions });
  // Listens (HTTPS + metrics), reloads certificates, registers with --register,
  // and drains gracefully on SIGTERM/SIGINT.
  try {
    await runtime.start(app);
  } catch (err) {
    reloader.stop(); // or its watchers keep the process alive after the error
    throw err;
  }
  // The controller is loaded only when asked for: its Kubernetes client costs
  // tens of MiB and seconds of start-up that a plain webhook server needn't pay.
  const controller = values.controller
    ? await (await import('./controller.js')).createControllerFromFlags(values, { logger, registry: runtime.registry })
    : undefined;
  controller?.start();
  const code = await runtime.stopped();
  await controller?.stop(); // releases the Lease so a standby takes over at once
  reloader.stop();
  logger.flush();
  return code;
}
