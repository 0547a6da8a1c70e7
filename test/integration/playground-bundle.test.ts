/**
 * Same engine, same answer: every example of the playground's menu (every
 * admission fixture, every case of every shipped PolicyTest suite, the
 * CronTab ConversionReviews) goes through the built browser bundle
 * (dist/playground-web/engine.js, loaded here as the page loads it) and
 * through `portcullis review` (the built CLI), and the response reviews must
 * be identical.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parseYamlDocuments } from '../../src/kube/yaml-documents.js';
import { parsePolicyTestSuite } from '../../src/policy/test-suite.js';
import { collectExamples } from '../../src/playground/examples.js';
import type { PlaygroundExample } from '../../src/playground/example-menu.js';
import type { Playground } from '../../src/playground/engine.js';

const run = promisify(execFile);
const bundle = path.resolve('dist/playground-web/engine.js');
const cli = path.resolve('dist/main.js');

interface EngineModule {
  createPlayground: () => Playground;
}

async function cliReview(file: string, endpoint: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, [cli, 'review', '--endpoint', endpoint, file], { maxBuffer: 16 << 20 }).catch((err: { stdout?: string; code?: number }) => {
    if (err.code === 1 && err.stdout) return { stdout: err.stdout };
    throw err;
  });
  return JSON.parse(stdout);
}

describe('the browser bundle answers as the CLI does', () => {
  let engine: EngineModule;
  let examples: PlaygroundExample[];
  let dir: string;

  before(async () => {
    assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build first`);
    engine = (await import(pathToFileURL(bundle).href)) as EngineModule;
    examples = await collectExamples(process.cwd());
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-playground-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('covers every fixture and every policy test case', () => {
    const byGroup = (g: string) => examples.filter((e) => e.group === g).length;
    const cases = readFileSync('policies/tests/widget-naming.test.yaml', 'utf8');
    assert.ok(byGroup('Fixtures') >= 10, 'the admission fixtures');
    assert.ok(byGroup('Policy tests') >= 30, 'the policy test cases');
    assert.ok(byGroup('Conversion') >= 2, 'the conversion reviews');
    assert.ok(examples.some((e) => cases.includes(e.name.split(': ')[1] ?? '\u0000')), 'suite cases are named after the suite');
  });

  it('gives byte-identical response reviews for every example', async () => {
    const playground = engine.createPlayground();
    const mismatches: string[] = [];
    let compared = 0;
    // Two CLI processes at a time: each loads the whole configuration, which is most of its time.
    const queue = [...examples.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, example] = next;
        const outcome = await playground.run(example.input);
        assert.notEqual(outcome.kind, 'problem', `${example.name}: ${JSON.stringify(outcome)}`);
        if (outcome.kind === 'problem') continue;
        const file = path.join(dir, `case-${i}.json`);
        const sent = outcome.kind === 'admission' ? { apiVersion: outcome.review.apiVersion, kind: 'AdmissionReview', request: outcome.request } : parseYamlDocuments(example.input.object, 'x')[0]?.value;
        writeFileSync(file, JSON.stringify(sent));
        const expected = await cliReview(file, example.input.endpoint);
        compared += 1;
        if (JSON.stringify(outcome.review) !== JSON.stringify(expected)) mismatches.push(`${example.group} / ${example.name}:\n  bundle ${JSON.stringify(outcome.review)}\n  cli    ${JSON.stringify(expected)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    assert.equal(compared, examples.length);
    assert.deepEqual(mismatches, []);
  });

  it('builds the request of a plain object exactly as portcullis test builds it for the same case', async () => {
    const playground = engine.createPlayground();
    const suites = examples.filter((e) => e.group === 'Policy tests');
    const plural = (kind: string) => ({ Widget: 'widgets', GadgetClass: 'gadgetclasses', CronTab: 'crontabs' })[kind];
    const docs = ['policies/tests'].flatMap((d) => readdirYaml(d)).flatMap((f) => parseYamlDocuments(readFileSync(f, 'utf8'), f));
    const built = docs.flatMap((doc) => parsePolicyTestSuite(doc, (gvk) => plural(gvk.kind)));
    for (const example of suites) {
      const outcome = await playground.run(example.input);
      if (outcome.kind !== 'admission') assert.fail(`${example.name}: ${outcome.kind}`);
      const expected = built.find((c) => `${c.suite}: ${c.name}` === example.name);
      assert.ok(expected, `${example.name} is a suite case`);
      const { uid: _a, ...got } = outcome.request;
      const { uid: _b, ...want } = expected.request;
      assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want)), example.name);
    }
  });
});

function readdirYaml(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => path.join(dir, n));
}
