import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { PlaygroundCase } from './engine.js';
import type { PlaygroundExample } from './example-menu.js';

const BLANK: Omit<PlaygroundCase, 'crds' | 'policies' | 'object'> = {
  oldObject: '', operation: '', endpoint: 'mutate', user: '', groups: [], namespace: '', subResource: '', dryRun: false,
};

async function yamlFiles(dir: string, recursive = false): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && recursive && !['tests', 'bindings'].includes(entry.name)) out.push(...(await yamlFiles(full, true)));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

async function concat(files: readonly string[]): Promise<string> {
  const texts = await Promise.all(files.map(async (f) => (await readFile(f, 'utf8')).trim()));
  return `${texts.join('\n---\n')}\n`;
}

/**
 * collectExamples builds the example menu from the repository at build time:
 * every admission fixture (test/fixtures/admission) and every case of every
 * shipped PolicyTest suite (policies/tests) against the shipped CRDs and
 * policies, and the CronTab ConversionReviews against the shipped conversion.
 * Nothing is copied by hand, so the menu follows the repository.
 */
export async function collectExamples(root: string): Promise<PlaygroundExample[]> {
  const crds = await concat(await yamlFiles(path.join(root, 'manifests/crds')));
  const policies = await concat(await yamlFiles(path.join(root, 'policies'), true));
  const examples: PlaygroundExample[] = [];
  const fixtures = path.join(root, 'test/fixtures/admission');
  for (const name of (await readdir(fixtures).catch(() => [])).filter((n) => n.endsWith('.json')).sort()) {
    const review: unknown = JSON.parse(await readFile(path.join(fixtures, name), 'utf8'));
    examples.push({ group: 'Fixtures', name: name.replace(/\.json$/, ''), input: { ...BLANK, crds, policies, object: stringify(review) } });
  }
  for (const file of await yamlFiles(path.join(root, 'policies/tests'))) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (!('toJS' in doc)) continue;
      const suite = doc.toJS() as { metadata?: { name?: string }; spec?: { cases?: Record<string, unknown>[] } };
      for (const c of suite.spec?.cases ?? []) examples.push({ group: 'Policy tests', name: `${suite.metadata?.name ?? path.basename(file)}: ${String(c['name'])}`, input: caseInput(c, crds, policies) });
    }
  }
  const conversions = path.join(root, 'test/fixtures/conversion');
  for (const name of (await readdir(conversions).catch(() => [])).filter((n) => /^crontab-.*review.*\.json$/.test(n)).sort()) {
    const review: unknown = JSON.parse(await readFile(path.join(conversions, name), 'utf8'));
    examples.push({ group: 'Conversion', name: name.replace(/\.json$/, ''), input: { ...BLANK, crds, policies, object: stringify(review) } });
  }
  return examples;
}

function caseInput(c: Record<string, unknown>, crds: string, policies: string): PlaygroundCase {
  const text = (v: unknown) => (v === undefined ? '' : stringify(v));
  const userInfo = c['userInfo'] as { username?: string; groups?: string[] } | undefined;
  return {
    crds,
    policies,
    object: c['review'] !== undefined ? text(c['review']) : text(c['object']),
    oldObject: text(c['oldObject']),
    operation: (c['operation'] as PlaygroundCase['operation'] | undefined) ?? '',
    endpoint: (c['endpoint'] as PlaygroundCase['endpoint'] | undefined) ?? 'mutate',
    user: typeof c['user'] === 'string' ? c['user'] : (userInfo?.username ?? ''),
    groups: Array.isArray(c['groups']) ? (c['groups'] as string[]) : (userInfo?.groups ?? []),
    namespace: typeof c['namespace'] === 'string' ? c['namespace'] : '',
    subResource: typeof c['subResource'] === 'string' ? c['subResource'] : '',
    dryRun: c['dryRun'] === true,
  };
}
