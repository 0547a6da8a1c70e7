import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { admissionReview, bodyOf, conversionReview, invalidWidget, largeWidget, policyDocuments, typicalWidget, widgetNeedingDefaults } from './payloads.js';
import { pinning, postOnce } from './processes.js';
import type { StartOptions, Target } from './processes.js';

/** BenchContext is what every scenario may use: the repository root and a scratch folder with the certificates. */
export interface BenchContext {
  root: string;
  work: string;
  certDir: string;
  /** profileDir, when set, starts Portcullis with --cpu-prof writing there. */
  profileDir?: string;
  /** logLevel is Portcullis' --log-level; default info, as deployed. */
  logLevel?: string;
  /** nodeFlags are extra node flags for every Portcullis server (`--node-flag`, to measure a V8 setting). */
  nodeFlags: readonly string[];
  /** peers are the other webhooks to compare with (`--peers`), by scenario support. */
  peers: PeerServer[];
  /** serveHelp is `portcullis serve --help`, to see which flags the build has. */
  serveHelp: string;
}

/** PeerServer is another implementation of the Widget webhook (e.g. controller-runtime). */
export interface PeerServer {
  start: StartOptions;
  /** routes it serves, e.g. /validate and /mutate. */
  routes: readonly string[];
}

/** ScenarioPlan is a prepared scenario: the servers to compare with the bare one, and one request body. */
export interface ScenarioPlan {
  description: string;
  /** bare starts the reference server(s) for this scenario (default: one bare server). */
  bare?: StartOptions[];
  /** servers are started for this scenario and compared with the bare server (first the bare one, then these, in turn). */
  servers: StartOptions[];
  path: string;
  body: Buffer;
  /** connections overrides the run's connection count (e.g. 1 to read the latency of one conversion). */
  connections?: number;
  /** mix, when set, measures every target twice per round: `body` alone, then with `mix.body` as one request in `mix.every`. */
  mix?: { body: Buffer; every: number; label: string };
  /** check throws when a target does not answer the body as expected (so no failed requests get measured). */
  check(target: Target): Promise<void>;
}

/** Scenario is one row group of the table. prepare returns { pending } when the feature it needs is not there yet. */
export interface Scenario {
  name: string;
  prepare(context: BenchContext): Promise<ScenarioPlan | { pending: string }>;
}

/** bareServer starts test/bench/bare-server.mjs under plain node (no TypeScript loader, so its RSS is node:https alone). */
export function bareServer(context: BenchContext, workers = 1): StartOptions {
  return {
    name: workers === 1 ? 'bare' : `bare x${workers}`,
    args: (port) => [path.join(context.root, 'test/bench/bare-server.mjs'), String(port), context.certDir, String(workers)],
    ...(workers > 1 && pinning.allCpus !== undefined && { cpus: pinning.allCpus }),
  };
}

/** portcullisServer starts the built server (dist/main.js) with the given CRDs and policies. */
export function portcullisServer(context: BenchContext, options: { name?: string; crds?: string[]; policies?: string[]; logLevel?: string; extra?: string[]; cpus?: string } = {}): StartOptions {
  const crds = options.crds ?? [path.join(context.root, 'manifests/crds')];
  const policies = options.policies ?? [path.join(context.root, 'policies')];
  const name = options.name ?? 'portcullis';
  return {
    name,
    ...(options.cpus !== undefined && { cpus: options.cpus }),
    args: (port) => [
      ...context.nodeFlags,
      ...(context.profileDir ? ['--cpu-prof', '--cpu-prof-dir', context.profileDir, '--cpu-prof-name', `${name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`] : []),
      path.join(context.root, 'dist/main.js'),
      'serve',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--cert-dir', context.certDir,
      '--log-level', options.logLevel ?? context.logLevel ?? 'info',
      '--metrics-host', '127.0.0.1',
      '--metrics-port', '0',
      ...crds.flatMap((c) => ['--crds', c]),
      ...policies.flatMap((p) => ['--policies', p]),
      // One process per server (the setup: one core each) unless a scenario asks for more.
      ...(options.extra?.includes('--workers') ? [] : ['--workers', '1']),
      ...(options.extra ?? []),
    ],
  };
}

function peersFor(context: BenchContext, route: string): StartOptions[] {
  return context.peers.filter((p) => p.routes.includes(route)).map((p) => p.start);
}

/**
 * expectAdmission checks one answer: HTTP 200, the uid echoed, allowed; with
 * a patch when `patched`; denied with `deniedCode` when given (the bare
 * server allows everything and never patches).
 */
export function expectAdmission(body: Buffer, options: { path?: string; patched?: boolean; deniedCode?: number } = {}) {
  const uid = (JSON.parse(body.toString('utf8')) as { request: { uid: string } }).request.uid;
  return async (target: Target): Promise<void> => {
    const answer = await postOnce(target.port, options.path ?? '/validate', body);
    const response = answer.body?.response;
    const bare = target.name.startsWith('bare');
    const wantAllowed = bare || options.deniedCode === undefined;
    if (answer.status !== 200 || response?.uid !== uid || response?.allowed !== wantAllowed) {
      throw new Error(`${target.name} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    if (!wantAllowed && response.status?.code !== options.deniedCode) throw new Error(`${target.name} denied with ${JSON.stringify(response.status).slice(0, 500)}`);
    if (options.patched && !bare && typeof response.patch !== 'string') throw new Error(`${target.name} sent no patch`);
  };
}

function admissionPlan(context: BenchContext, description: string, route: '/validate' | '/mutate', object: Record<string, unknown>, deniedCode?: number): ScenarioPlan {
  const body = bodyOf(admissionReview(object));
  return {
    description: `${description} (${(body.length / 1024).toFixed(1)} KiB review)`,
    servers: [portcullisServer(context), ...peersFor(context, route)],
    path: route,
    body,
    check: expectAdmission(body, { path: route, patched: route === '/mutate', deniedCode }),
  };
}

/** expectConversion checks one ConversionReview answer: HTTP 200, uid echoed, Success, every object converted to the desired version. */
export function expectConversion(body: Buffer) {
  const { request } = JSON.parse(body.toString('utf8')) as { request: { uid: string; desiredAPIVersion: string; objects: unknown[] } };
  return async (target: Target): Promise<void> => {
    const answer = await postOnce(target.port, '/convert', body);
    const response = answer.body?.response;
    const converted = response?.convertedObjects as { apiVersion: string }[] | undefined;
    if (answer.status !== 200 || response?.uid !== request.uid || response?.result?.status !== 'Success' || converted?.length !== request.objects.length || converted.some((o) => o.apiVersion !== request.desiredAPIVersion)) {
      throw new Error(`${target.name} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
  };
}

async function policyPlan(context: BenchContext): Promise<ScenarioPlan> {
  const servers: StartOptions[] = [];
  for (const count of [10, 1000]) {
    const dir = path.join(context.work, `policies-${count}`);
    await mkdir(dir, { recursive: true });
    const docs = policyDocuments(count);
    // 100 policies per file, as a real repository would group them.
    for (let i = 0; i < docs.length; i += 100) await writeFile(path.join(dir, `bench-${i}.yaml`), docs.slice(i, i + 100).join('---\n'));
    servers.push(portcullisServer(context, { name: `policies-${count}`, policies: [dir] }));
  }
  const body = bodyOf(admissionReview(typicalWidget()));
  return {
    description: 'POST /validate, typical Widget, 10 policies apply; servers loaded with 10 and with 1,000 generated policies (idle RSS difference = RSS per 990 policies)',
    servers,
    path: '/validate',
    body,
    check: expectAdmission(body, { path: '/validate' }),
  };
}

function isolationPlan(context: BenchContext): ScenarioPlan {
  const body = bodyOf(admissionReview(typicalWidget()));
  // A longer uid makes the large review's answers a different size, which is how the load tells them apart.
  const large = bodyOf(admissionReview(largeWidget(), `large-${'0'.repeat(24)}-${Date.now()}`));
  return {
    description: 'POST /validate, valid 2.7 KiB reviews alone, then with 1 request in 100 a 1 MiB review (staggered across connections): p99 of the small ones',
    servers: [portcullisServer(context), ...peersFor(context, '/validate')],
    path: '/validate',
    body,
    mix: { body: large, every: 100, label: '+1% 1 MiB' },
    check: async (target) => {
      await expectAdmission(body)(target);
      await expectAdmission(large)(target);
    },
  };
}

function decisionLogPlan(context: BenchContext, decision: 'allowed' | 'denied', object: Record<string, unknown>): ScenarioPlan {
  const body = bodyOf(admissionReview(object));
  return {
    description: `POST /validate, the ${decision} review, --log-level info vs error (no decision line): the CPU difference is what the ${decision} review's line costs`,
    servers: [portcullisServer(context, { name: 'log info', logLevel: 'info' }), portcullisServer(context, { name: 'log error', logLevel: 'error' })],
    path: '/validate',
    body,
    check: expectAdmission(body, decision === 'denied' ? { deniedCode: 422 } : {}),
  };
}

async function workersPlan(context: BenchContext): Promise<ScenarioPlan | { pending: string }> {
  // (serve --controller passes the controller's --workers, its reconcile parallelism, through: look for serve's own.)
  if (!/^\s+--workers N\s.*process/m.test(context.serveHelp)) return { pending: 'serve has no --workers flag (server processes) in this build' };
  const body = bodyOf(admissionReview(typicalWidget()));
  const all = pinning.allCpus;
  return {
    description: 'POST /validate, valid Widget: 1 worker on one CPU vs 2 workers on both (the load generator shares them), bare node:cluster likewise',
    bare: [bareServer(context), { ...bareServer(context, 2), settleMs: 2000 }],
    servers: [
      portcullisServer(context, { name: 'workers 1', extra: ['--workers', '1'] }),
      { ...portcullisServer(context, { name: 'workers 2', extra: ['--workers', '2'], ...(all !== undefined && { cpus: all }) }), settleMs: 5000 },
    ],
    path: '/validate',
    body,
    check: expectAdmission(body),
  };
}

/** SCENARIOS are run in this order; names are what --only matches and what goals.ts looks up. */
export const SCENARIOS: Scenario[] = [
  { name: 'validate valid', prepare: async (context) => admissionPlan(context, 'POST /validate, valid Widget, allowed', '/validate', typicalWidget()) },
  { name: 'validate denied', prepare: async (context) => admissionPlan(context, 'POST /validate, Widget with 6 schema errors, denied 422', '/validate', invalidWidget(), 422) },
  { name: 'mutate defaults', prepare: async (context) => admissionPlan(context, 'POST /mutate, Widget missing 8 defaults, patched', '/mutate', widgetNeedingDefaults()) },
  { name: 'validate 1 MiB', prepare: async (context) => admissionPlan(context, 'POST /validate, Widget with ~16k labels, allowed', '/validate', largeWidget()) },
  { name: 'isolation', prepare: async (context) => isolationPlan(context) },
  { name: 'decision log, denied', prepare: async (context) => decisionLogPlan(context, 'denied', invalidWidget()) },
  { name: 'decision log, allowed', prepare: async (context) => decisionLogPlan(context, 'allowed', typicalWidget()) },
  {
    name: 'convert 1000 objects',
    prepare: async (context) => {
      const body = bodyOf(conversionReview(1000));
      return {
        description: `POST /convert, 1,000 CronTabs v1beta1 -> v1 (${(body.length / 1024).toFixed(0)} KiB review), 1 connection: p50 is the time of one conversion`,
        servers: [portcullisServer(context)],
        path: '/convert',
        body,
        connections: 1,
        check: expectConversion(body),
      };
    },
  },
  { name: 'policies 10 vs 1000', prepare: policyPlan },
  { name: 'workers', prepare: workersPlan },
];
