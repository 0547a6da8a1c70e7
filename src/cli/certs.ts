import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject } from '../kube/types.js';
import { CERT_FILES, issueCa, issueServingCertificate } from '../server/certificates.js';
import type { KeyPair } from '../server/certificates.js';
import { parseFlags, UsageError } from './args.js';
import { MANIFEST_DEFAULTS } from './webhook-manifests.js';

/** CERTS_USAGE documents `portcullis certs`. */
export const CERTS_USAGE = `Usage: portcullis certs [flags]

Make a CA and a serving certificate for <service>.<namespace>.svc (and
.svc.cluster.local). Writes ca.crt, ca.key, tls.crt, tls.key and secret.yaml
(a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt) into --out-dir,
then prints the base64 caBundle. An existing ca.crt/ca.key is reused, so
running it again rotates the serving certificate under the same CA.

Flags:
  --service NAME      Service name (default portcullis-webhook)
  --namespace NS      namespace (default portcullis-system)
  --out-dir DIR       where to write (default certs)
  --secret-name NAME  name of the Secret (default portcullis-webhook-tls)
  --dns-name NAME     extra SAN, repeatable
  --days N            serving certificate validity (default 365)
  --ca-days N         CA validity when a CA is created (default 3650)
  --patch FILE        set the caBundle in every webhook and CRD conversion
                      clientConfig of this YAML file, in place; repeatable
`;

/** certificateNames returns the DNS names a Service's serving certificate must carry. */
export function certificateNames(service: string, namespace: string, extra: readonly string[] = []): string[] {
  return [...new Set([`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service, ...extra])];
}

/** tlsSecret returns a kubernetes.io/tls Secret manifest holding the pair and the CA certificate. */
export function tlsSecret(name: string, namespace: string, serving: KeyPair, caCert: string): JsonObject {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'portcullis' } },
    data: { 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key), 'ca.crt': b64(caCert) },
  };
}

/**
 * setCaBundle sets `caBundle` (base64 of the PEM CA) in every webhook
 * clientConfig of Validating/MutatingWebhookConfigurations and in the
 * conversion clientConfig of CRDs; returns how many it set. Other objects are
 * left as they are.
 */
export function setCaBundle(object: JsonObject, caPem: string): number {
  const caBundle = Buffer.from(caPem).toString('base64');
  let count = 0;
  const set = (holder: unknown) => {
    if (isJsonObject(holder) && isJsonObject(holder['clientConfig'])) {
      holder['clientConfig']['caBundle'] = caBundle;
      count += 1;
    }
  };
  if (object['kind'] === 'ValidatingWebhookConfiguration' || object['kind'] === 'MutatingWebhookConfiguration') {
    for (const webhook of Array.isArray(object['webhooks']) ? object['webhooks'] : []) set(webhook);
  } else if (object['kind'] === 'CustomResourceDefinition') {
    const spec = object['spec'];
    const conversion = isJsonObject(spec) ? spec['conversion'] : undefined;
    if (isJsonObject(conversion)) set(conversion['webhook']);
  }
  return count;
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  // Write then rename, so a server watching the folder never reads half a file.
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function positiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** runCerts makes (or rotates) the certificates and writes the Secret manifest. */
export async function runCerts(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values } = parseFlags(argv, {
    service: { type: 'string' },
    namespace: { type: 'string' },
    'out-dir': { type: 'string' },
    'secret-name': { type: 'string' },
    'dns-name': { type: 'string', multiple: true },
    days: { type: 'string' },
    'ca-days': { type: 'string' },
    patch: { type: 'string', multiple: true },
  });
  const service = values.service ?? MANIFEST_DEFAULTS.service;
  const namespace = values.namespace ?? MANIFEST_DEFAULTS.namespace;
  const outDir = values['out-dir'] ?? 'certs';
  const days = positiveInt(values.days, 365, '--days');
  const caDays = positiveInt(values['ca-days'], 3650, '--ca-days');
  const file = (name: string) => path.join(outDir, name);
  await mkdir(outDir, { recursive: true });

  const caCert = await readIfPresent(file(CERT_FILES.caCert));
  const caKey = await readIfPresent(file(CERT_FILES.caKey));
  let ca: KeyPair;
  if (caCert !== undefined && caKey !== undefined) {
    ca = { cert: caCert, key: caKey };
    io.stderr(`reusing the CA in ${file(CERT_FILES.caCert)} (valid until ${new X509Certificate(caCert).validTo})\n`);
  } else if (caCert === undefined && caKey === undefined) {
    ca = await issueCa({ commonName: `portcullis-ca.${namespace}`, days: caDays });
    await writeAtomically(file(CERT_FILES.caKey), ca.key, 0o600);
    await writeAtomically(file(CERT_FILES.caCert), ca.cert, 0o644);
  } else {
    throw new UsageError(`${outDir} holds only one of ${CERT_FILES.caCert} and ${CERT_FILES.caKey}; provide both or neither`);
  }
  const names = certificateNames(service, namespace, values['dns-name'] ?? []);
  const serving = await issueServingCertificate(ca, names, { days });
  // Key first: a watcher that reads between the two writes sees a mismatch and retries.
  await writeAtomically(file(CERT_FILES.key), serving.key, 0o600);
  await writeAtomically(file(CERT_FILES.cert), serving.cert, 0o644);
  const secret = tlsSecret(values['secret-name'] ?? 'portcullis-webhook-tls', namespace, serving, ca.cert);
  await writeAtomically(file('secret.yaml'), `# Generated by portcullis certs: holds a private key, do not commit.\n${stringify(secret)}`, 0o600);

  for (const target of values.patch ?? []) {
    const docs = parseAllDocuments(await readFile(target, 'utf8'));
    let count = 0;
    const out = docs.map((doc) => {
      const value = doc.toJS() as unknown;
      if (isJsonObject(value)) count += setCaBundle(value, ca.cert);
      return stringify(value, { lineWidth: 0 });
    });
    await writeAtomically(target, out.join('---\n'), 0o644);
    io.stderr(`set caBundle in ${count} clientConfig(s) of ${target}\n`);
  }
  io.stderr(`wrote ${file(CERT_FILES.cert)} for ${names.join(', ')} (valid ${days} days) and ${file('secret.yaml')}\ncaBundle:\n`);
  io.stdout(`${Buffer.from(ca.cert).toString('base64')}\n`);
  return 0;
}
