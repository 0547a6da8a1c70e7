import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { admissionReview, bodyOf, conversionReview, largeWidget, policyDocuments, typicalWidget, widgetNeedingDefaults } from './payloads.js';
import { postOnce } from './processes.js';
import type { StartOptions, Target } from './processes.js';

/** BenchContext is what every scenario may use: the repository root and a scratch folder with the certificates. */
export interface BenchContext {
  root: string;
  work: string;
  certDir: string;
  /** profileDir, when set, starts Portcullis with --cpu-prof writing there. */
  profileDir?: string;
  /** logLevel is Portcullis' --log-level; default info, as deployed (one line per review). */
  logLevel?: string;
}

/** ScenarioPlan is a prepared scenario: the servers to compare with the bare one, and one request body. */
export interface ScenarioPlan {
  description: string;
  /** servers are started for this scenario and compared with the bare server (first the bare one, then these, in turn). */
  servers: StartOptions[];
  path: string;
  body: Buffer;
  /** connections overrides the run's connection count (e.g. 1 to read the latency of one conversion). */
  connections?: number;
  /** check throws when a target does not answer the body as expected (so no failed requests get measured). */
  check(target: Target): Promise<void>;
}

/** Scenario is one row group of the table. prepare returns { pending } when the feature it needs is not there yet. */
export interface Scenario {
  name: string;
  prepare(context: BenchContext): Promise<ScenarioPlan | { pending: string }>;
}

/** portcullisServer starts the built server (dist/main.js) with the given CRDs and policies. */
export function portcullisServer(context: BenchContext, options: { name?: string; crds?: string[]; policies?: string[] } = {}): StartOptions {
  const crds = options.crds ?? [path.join(context.root, 'manifests/crds')];
  const policies = options.policies ?? [path.join(context.root, 'policies')];
  const name = options.name ?? 'portcullis';
  return {
    name,
    args: (port) => [
      ...(context.profileDir ? ['--cpu-prof', '--cpu-prof-dir', context.profileDir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : []),
      path.join(context.root, 'dist/main.js'),
      'serve',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--cert-dir', context.certDir,
      '--log-level', context.logLevel ?? 'info',
      '--metrics-host', '127.0.0.1',
      '--metrics-port', '0',
      ...crds.flatMap((c) => ['--crds', c]),
      ...policies.flatMap((p) => ['--policies', p]),
    ],
  };
}

/** expectAdmission checks one answer: HTTP 200, the uid echoed, allowed; with a patch when `patched` (Portcullis only, the bare server never patches). */
export function expectAdmission(body: Buffer, options: { path?: string; patched?: boolean } = {}) {
  const uid = (JSON.parse(body.toString('utf8')) as { request: { uid: string } }).request.uid;
  return async (target: Target): Promise<void> => {
    const answer = await postOnce(target.port, options.path ?? '/validate', body);
    const response = answer.body?.response;
    if (answer.status !== 200 || response?.uid !== uid || response?.allowed !== true) {
      throw new Error(`${target.name} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    if (options.patched && target.name !== 'bare' && typeof response.patch !== 'string') throw new Error(`${target.name} sent no patch`);
  };
}

function admissionPlan(context: BenchContext, description: string, route: '/validate' | '/mutate', object: Record<string, unknown>): ScenarioPlan {
  const body = bodyOf(admissionReview(object));
  return {
    description: `${description} (${(body.length / 1024).toFixed(1)} KiB review)`,
    servers: [portcullisServer(context)],
    path: route,
    body,
    check: expectAdmission(body, { path: route, patched: route === '/mutate' }),
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
    description: 'POST /validate, typical Widget, 10 policies apply; servers loaded with 10 and with 1,000 generated policies',
    servers,
    path: '/validate',
    body,
    check: expectAdmission(body, { path: '/validate' }),
  };
}

/** SCENARIOS are run in this order. */
export const SCENARIOS: Scenario[] = [
  { name: 'validate 2.5 KB', prepare: async (context) => admissionPlan(context, 'POST /validate, valid Widget, allowed', '/validate', typicalWidget()) },
  { name: 'mutate defaults', prepare: async (context) => admissionPlan(context, 'POST /mutate, Widget missing 8 defaults, patched', '/mutate', widgetNeedingDefaults()) },
  { name: 'validate 1 MiB', prepare: async (context) => admissionPlan(context, 'POST /validate, Widget with ~16k labels, allowed', '/validate', largeWidget()) },
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
];
