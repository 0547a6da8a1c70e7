import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

/** KeyPair is a PEM certificate and its PEM private key. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** DEFAULT_SANS are the names every development serving certificate carries. */
export const DEFAULT_SANS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/**
 * issueCa creates a self-signed CA certificate (RSA 2048, SHA-256) valid for
 * `days` days (default 3650) that can sign serving certificates.
 */
export async function issueCa(options: { commonName?: string; days?: number; now?: Date } = {}): Promise<KeyPair> {
  const now = options.now ?? new Date();
  const { generate } = await loadSelfsigned();
  const result = await generate([{ name: 'commonName', value: options.commonName ?? 'portcullis-dev-ca' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + (options.days ?? 3650) * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/**
 * issueServingCertificate creates a TLS server certificate signed by `ca`
 * whose subjectAltNames are `names` (IP addresses become IP SANs, everything
 * else DNS SANs; the apiserver ignores the CN). Valid for `days` (default 365).
 */
export async function issueServingCertificate(ca: KeyPair, names: readonly string[], options: { days?: number; now?: Date } = {}): Promise<KeyPair> {
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new Error('issueServingCertificate: at least one name is needed');
  return issueLeafCertificate(ca, unique[0] as string, [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: unique.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
  ], options);
}

/**
 * issueClientCertificate creates a TLS client certificate signed by `ca`
 * for `commonName` (extended key usage clientAuth), e.g. the one the
 * apiserver presents to `serve --client-ca`. Valid for `days` (default 365).
 */
export async function issueClientCertificate(ca: KeyPair, commonName: string, options: { days?: number; now?: Date } = {}): Promise<KeyPair> {
  return issueLeafCertificate(ca, commonName, [{ name: 'extKeyUsage', clientAuth: true }], options);
}

/** issueLeafCertificate signs a non-CA certificate for commonName with the usage extensions given, valid from a minute ago for `days`. */
async function issueLeafCertificate(ca: KeyPair, commonName: string, usage: CertificateExtension[], options: { days?: number; now?: Date }): Promise<KeyPair> {
  const now = options.now ?? new Date();
  const { generate } = await loadSelfsigned();
  const result = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + (options.days ?? 365) * 86_400_000),
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      ...usage,
    ],
  });
  return { cert: result.cert, key: result.private };
}

/** CERT_FILES names the files of a certificate folder. */
export const CERT_FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key' } as const;

/**
 * ensureDevCertificates makes sure `dir` holds tls.crt and tls.key. When
 * either is missing it creates a development CA (ca.crt/ca.key, reused when
 * present) and a serving certificate signed by it for DEFAULT_SANS plus
 * `dnsNames`. Existing files are never overwritten. Returns whether it
 * generated anything.
 */
export async function ensureDevCertificates(dir: string, options: { dnsNames?: readonly string[] } = {}): Promise<{ generated: boolean }> {
  const file = (name: string): string => path.join(dir, name);
  if ((await exists(file(CERT_FILES.cert))) && (await exists(file(CERT_FILES.key)))) return { generated: false };
  if ((await exists(file(CERT_FILES.cert))) !== (await exists(file(CERT_FILES.key)))) {
    throw new Error(`${dir}: only one of ${CERT_FILES.cert} and ${CERT_FILES.key} exists; remove it or provide both`);
  }
  await mkdir(dir, { recursive: true });
  let ca: KeyPair;
  if ((await exists(file(CERT_FILES.caCert))) && (await exists(file(CERT_FILES.caKey)))) {
    ca = { cert: await readFile(file(CERT_FILES.caCert), 'utf8'), key: await readFile(file(CERT_FILES.caKey), 'utf8') };
  } else {
    ca = await issueCa();
    await writeNew(file(CERT_FILES.caKey), ca.key, 0o600);
    await writeNew(file(CERT_FILES.caCert), ca.cert, 0o644);
  }
  const serving = await issueServingCertificate(ca, [...DEFAULT_SANS, ...(options.dnsNames ?? [])]);
  await writeNew(file(CERT_FILES.key), serving.key, 0o600);
  await writeNew(file(CERT_FILES.cert), serving.cert, 0o644);
  return { generated: true };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function writeNew(file: string, content: string, mode: number): Promise<void> {
  // flag 'wx' fails if the file appeared meanwhile: never overwrite.
  await writeFile(file, content, { flag: 'wx', mode });
}

/** CertificateExtension is one extension selfsigned understands (its type is not exported). */
type CertificateExtension = NonNullable<NonNullable<Parameters<typeof import('selfsigned')['generate']>[1]>['extensions']>[number];

/** loadSelfsigned imports the certificate generator only when a certificate is made (it costs ~13 MiB of RSS and a second of start-up). */
function loadSelfsigned(): Promise<typeof import('selfsigned')> {
  return import('selfsigned');
}
