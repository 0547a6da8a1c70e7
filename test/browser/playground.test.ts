/**
 * The playground in a real browser: Debian's Chromium, headless, driven by
 * Playwright (playwright-core: it never downloads a browser). Loads the page
 * from `portcullis playground`, picks an example, edits a policy, and checks
 * the rendered verdict, message and patch against what `portcullis review`
 * prints for the same input; then opens the shared link in a fresh page and
 * checks that it restores the case. The screenshot is kept in
 * test/browser/artifacts/ (not committed).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { PlaygroundCase } from '../../src/playground/engine.js';
import { decodeCase } from '../../src/playground/share.js';

const run = promisify(execFile);
const CANDIDATES = [process.env.PORTCULLIS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const executable = CANDIDATES.find((p) => existsSync(p));
const artifacts = path.resolve('test/browser/artifacts');
const EXAMPLE = 'widget-naming: a name over 40 characters is too long';

if (!executable && process.env.CI !== 'true') {
  process.stdout.write(`# skipped: no Chromium at ${CANDIDATES.join(', ')} (apt-get install chromium); under CI=true this fails\n`);
}

/** currentCase reads the whole case from the page's address (CodeMirror renders only the visible lines). */
function currentCase(page: Page): PlaygroundCase {
  return decodeCase(new URL(page.url()).hash.replace(/^#case=/, ''));
}

/** replaceText selects all of an editor and types the new text as one input, as a paste would. */
async function replaceText(page: Page, editor: string, text: string): Promise<void> {
  await page.click(`#tab-${editor}`);
  await page.locator(`#editor-${editor} .cm-content`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

async function settled(page: Page, after: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.body.dataset['runs'] ?? 0) > n, after, { timeout: 30_000 });
}

/** cliReviewOf downloads the page's AdmissionReview and runs `portcullis review` on it with the page's CRDs and policies. */
async function cliReviewOf(page: Page, dir: string, name: string): Promise<{ stdout: string }> {
  const download = page.waitForEvent('download');
  await page.click('#download');
  const reviewFile = path.join(dir, `${name}.json`);
  await (await download).saveAs(reviewFile);
  const input = currentCase(page);
  writeFileSync(path.join(dir, `${name}-policies.yaml`), input.policies);
  writeFileSync(path.join(dir, `${name}-crds.yaml`), input.crds);
  const args = ['dist/main.js', 'review', '--crds', path.join(dir, `${name}-crds.yaml`), '--policies', path.join(dir, `${name}-policies.yaml`), reviewFile];
  return run(process.execPath, args).catch((err: { code?: number; stdout?: string }) => {
    if (err.code === 1 && err.stdout) return { stdout: err.stdout };
    throw err;
  });
}

const runs = async (page: Page) => Number(await page.evaluate(() => document.body.dataset['runs'] ?? '0'));

describe('the playground in Chromium', { skip: !executable && process.env.CI !== 'true' }, () => {
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let dir: string;

  before(async () => {
    assert.ok(executable, `no Chromium at ${CANDIDATES.join(', ')}: .ci/run installs Debian's chromium`);
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-browser-'));
    server = spawn(process.execPath, ['dist/main.js', 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`portcullis playground exited with ${code}`)));
      server.stdout?.on('data', (chunk: Buffer) => {
        const m = /http:\/\/\S+/.exec(chunk.toString());
        if (m) resolve(m[0]);
      });
    });
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders an edited example as portcullis review answers it, and a shared link restores it', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url);
    await settled(page, 0);
    const firstVerdictMs = Number(await page.evaluate(() => document.body.dataset['firstVerdictMs']));
    process.stdout.write(`# playground: first verdict ${firstVerdictMs} ms after the script started\n`);

    // Pick the example: the name is too long for the policy.
    let n = await runs(page);
    await page.selectOption('#example', { label: EXAMPLE });
    await settled(page, n);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
    assert.match(await page.innerText('#kubectl'), /The Widget "a-very-long-widget-name-that-goes-on-and-on" is invalid: metadata\.name: Too long: must have at most 40 characters/);
    const denied = await cliReviewOf(page, dir, 'denied');
    assert.equal(await page.locator('#review').textContent(), denied.stdout, 'the denial (code, reason, message, causes) is what portcullis review prints');

    // Edit the policy: allow 60 characters. Now the Widget is admitted, with the schema defaults as a patch.
    const policies = currentCase(page).policies;
    assert.ok(policies.includes('maxLength: 40'));
    n = await runs(page);
    await replaceText(page, 'policies', policies.replace('maxLength: 40', 'maxLength: 60'));
    await settled(page, n);
    await page.waitForFunction(() => document.getElementById('verdict')?.dataset['verdict'] === 'allowed', undefined, { timeout: 30_000 });
    const shownReview = await page.locator('#review').textContent();
    const shownPatch = (await page.locator('#patch').textContent()) ?? '';

    // The same input through the CLI: the downloaded AdmissionReview with the edited policies.
    const edited = currentCase(page);
    assert.ok(edited.policies.includes('maxLength: 60'), 'the address holds the edited policy');
    const { stdout } = await cliReviewOf(page, dir, 'allowed');
    assert.equal(shownReview, stdout, 'the page shows the response review portcullis review prints');
    const cli = JSON.parse(stdout) as { response: { allowed: boolean; patch?: string } };
    assert.equal(cli.response.allowed, true);
    const ops = JSON.parse(Buffer.from(cli.response.patch ?? '', 'base64').toString('utf8')) as unknown[];
    assert.ok(ops.length > 0);
    assert.equal(shownPatch, ops.map((op) => JSON.stringify(op)).join('\n'), 'the page lists the patch operations the CLI sends');

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'playground.png') });

    // The link restores the case in a fresh page.
    const shared = page.url();
    assert.match(shared, /#case=1\./);
    const again = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await again.goto(shared);
    await settled(again, 0);
    await again.click('#tab-policies');
    assert.equal(await again.locator('#editor-policies .cm-content').isVisible(), true);
    assert.deepEqual(currentCase(again), edited);
    assert.equal(await again.getAttribute('#verdict', 'data-verdict'), 'allowed');
    assert.equal(await again.locator('#review').textContent(), shownReview);
    assert.deepEqual(errors, []);
    assert.ok(readFileSync(path.join(artifacts, 'playground.png')).length > 10_000, 'the screenshot was written');
  });

  it('marks a CEL error at its line in the policy editor with the words the CLI prints', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await settled(page, 0);
    let n = await runs(page);
    await page.selectOption('#example', { label: 'widget-replica-cap: two replicas in a sandbox namespace are fine' });
    await settled(page, n);
    const policies = currentCase(page).policies;
    assert.ok(policies.includes('object.spec.replicas <= 2'));
    n = await runs(page);
    await replaceText(page, 'policies', policies.replace('object.spec.replicas <= 2', 'objct.spec.replicas <= 2'));
    await settled(page, n);
    await page.waitForFunction(() => document.getElementById('verdict')?.dataset['verdict'] === 'problem', undefined, { timeout: 30_000 });
    assert.match(await page.innerText('#problems'), /policies line \d+: policies\.yaml: document \d+: spec\.rules\[0\]\.cel\.expression: .*objct/);
    assert.equal(await page.locator('#tab-policies.has-problem').count(), 1);
    await page.waitForSelector('#editor-policies .cm-lintRange-error');
    // The CLI says the same words about the same file content.
    writeFileSync(path.join(dir, 'policies.yaml'), currentCase(page).policies);
    const cli = await run(process.execPath, ['dist/main.js', 'test', '--policies', path.join(dir, 'policies.yaml'), 'policies/tests']).catch((err: { stderr: string }) => err);
    const detail = (await page.innerText('#problems')).replace(/^policies line \d+: policies\.yaml: /, '');
    assert.ok(String((cli as { stderr: string }).stderr).includes(detail.split(': ').slice(1).join(': ')), `the CLI prints ${detail}`);
  });
});
