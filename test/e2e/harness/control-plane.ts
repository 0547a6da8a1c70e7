/**
 * A real etcd and kube-apiserver on 127.0.0.1, each on random free ports, with everything in a
 * temporary folder: etcd data, the apiserver's own serving certificate, service-account keys, a
 * static token file (user `admin` in `system:masters`) and a kubeconfig for that user.
 * Authorization is RBAC, so `kubectl --as <user>` impersonation behaves as in a real cluster.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import type { Binaries } from './binaries.js';
import { describeProbe, freePort, probe, waitFor } from './net.js';
import { spawnManaged, type ManagedProcess } from './processes.js';

/** ControlPlane is a running etcd + kube-apiserver pair. */
export interface ControlPlane {
  /** apiserverUrl is `https://127.0.0.1:<port>`. */
  readonly apiserverUrl: string;
  /** kubeconfigPath is a kubeconfig for the `admin` user (group system:masters). */
  readonly kubeconfigPath: string;
  /** adminToken is the bearer token of `admin`. */
  readonly adminToken: string;
  /** apiserverCa is the PEM CA that signed the apiserver's serving certificate. */
  readonly apiserverCa: string;
  /** restartApiserver stops the apiserver and starts it again on the same port; etcd keeps the data. */
  restartApiserver(): Promise<void>;
  /** compactEtcd compacts etcd's history up to its current revision (watches from older versions get 410 Gone); resolves with it. */
  compactEtcd(): Promise<number>;
  /** logs returns the last lines of etcd and kube-apiserver output. */
  logs(): string;
  /** stop ends both processes. The temporary folder is left to the caller. */
  stop(): Promise<void>;
}

/** ControlPlaneOptions configures startControlPlane. */
export interface ControlPlaneOptions {
  binaries: Binaries;
  /** dir is an empty temporary folder owned by this control plane. */
  dir: string;
  /** log receives progress lines. */
  log: (line: string) => void;
  /** startTimeoutMs bounds each start-up (default 120000). */
  startTimeoutMs?: number;
  /** extraApiserverArgs are appended to the apiserver's flags. */
  extraApiserverArgs?: string[];
}

async function servingCertificate(): Promise<{ ca: string; cert: string; key: string }> {
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'portcullis-e2e-apiserver-ca' }], {
    keySize: 2048,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await selfsigned.generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keySize: 2048,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: leaf.cert, key: leaf.private };
}

function kubeconfig(server: string, ca: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin', namespace: 'default' } }],
      'current-context': 'e2e',
    },
    null,
    2,
  );
}

function exitedAbort(proc: ManagedProcess, state: { exit?: number | string }): () => string | undefined {
  void proc.exited.then((code) => (state.exit = code));
  return () =>
    state.exit === undefined ? undefined : `${proc.name} exited (${state.exit}):\n${proc.output().slice(-30).join('\n')}`;
}

/** startControlPlane starts etcd, then kube-apiserver, and resolves once /readyz answers 200. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { binaries, dir, log } = options;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true });
  const [etcdClientPort, etcdPeerPort, apiserverPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const apiserverUrl = `https://127.0.0.1:${apiserverPort}`;

  const serving = await servingCertificate();
  writeFileSync(join(pki, 'ca.crt'), serving.ca);
  writeFileSync(join(pki, 'apiserver.crt'), serving.cert);
  writeFileSync(join(pki, 'apiserver.key'), serving.key, { mode: 0o600 });
  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(join(pki, 'sa.pub'), sa.publicKey);
  writeFileSync(join(pki, 'sa.key'), sa.privateKey, { mode: 0o600 });
  const adminToken = randomBytes(24).toString('hex');
  writeFileSync(join(pki, 'tokens.csv'), `${adminToken},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig(apiserverUrl, serving.ca, adminToken), { mode: 0o600 });

  const started = Date.now();
  const etcd = spawnManaged({
    name: 'etcd',
    command: binaries.etcd,
    args: [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
  });
  await waitFor(
    async () => {
      const r = await probe(`${etcdUrl}/health`);
      return 'status' in r && r.status === 200 && r.body.includes('"true"') ? true : describeProbe(r);
    },
    { what: 'etcd /health', timeoutMs, abort: exitedAbort(etcd, {}) },
  );
  log(`e2e: etcd ready on ${etcdUrl} after ${Date.now() - started} ms`);

  const apiserverArgs = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // Since 1.36 the endpoint reconciler refuses a loopback advertise address; with no
    // kubelet or controller-manager here nothing needs the kubernetes Service's endpoints.
    '--endpoint-reconciler-type=none',
    `--secure-port=${apiserverPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    `--service-account-issuer=${apiserverUrl}`,
    `--service-account-key-file=${join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
    `--token-auth-file=${join(pki, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // As envtest: no controller-manager runs, so no service-account tokens would ever be issued.
    '--disable-admission-plugins=ServiceAccount',
    ...(options.extraApiserverArgs ?? []),
  ];
  let apiserver: ManagedProcess;
  const startApiserver = async (): Promise<void> => {
    const t0 = Date.now();
    apiserver = spawnManaged({ name: 'kube-apiserver', command: binaries.kubeApiserver, args: apiserverArgs });
    await waitFor(
      async () => {
        const r = await probe(`${apiserverUrl}/readyz`, { ca: serving.ca, token: adminToken });
        return 'status' in r && r.status === 200 ? true : describeProbe(r);
      },
      { what: 'kube-apiserver /readyz', timeoutMs, intervalMs: 500, abort: exitedAbort(apiserver, {}) },
    );
    log(`e2e: kube-apiserver ${binaries.apiserverVersion} ready on ${apiserverUrl} after ${Date.now() - t0} ms`);
  };
  try {
    await startApiserver();
  } catch (err) {
    await etcd.stop();
    throw err;
  }

  return {
    apiserverUrl,
    kubeconfigPath,
    adminToken,
    apiserverCa: serving.ca,
    async restartApiserver() {
      await apiserver.stop();
      await startApiserver();
    },
    async compactEtcd() {
      // etcd's gRPC-gateway: any range answers with the header's current revision.
      const post = async (path: string, body: object): Promise<Record<string, any>> => {
        const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
        return (await res.json()) as Record<string, any>;
      };
      const range = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
      const revision = Number(range.header.revision);
      await post('/v3/kv/compaction', { revision: String(revision), physical: true });
      return revision;
    },
    logs() {
      return [
        '--- etcd (tail) ---',
        ...etcd.output().slice(-20),
        '--- kube-apiserver (tail) ---',
        ...apiserver.output().slice(-40),
      ].join('\n');
    },
    async stop() {
      await apiserver.stop();
      await etcd.stop();
    },
  };
}
