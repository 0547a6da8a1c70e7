import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('portcullis playground (the built binary)', () => {
  let child: ChildProcess;
  let url: string;

  before(async () => {
    child = spawn(process.execPath, ['dist/main.js', 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        const m = /^playground: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(chunk.toString());
        if (m) resolve(m[1] as string);
      });
    });
  });
  after(() => child?.kill('SIGTERM'));

  it('serves the page and its scripts on loopback', async () => {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<script type="module" src="app.js">/);
    const script = await fetch(new URL('app.js', url));
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  });

  it('answers 404 for anything it was not built with, and 405 for writes', async () => {
    assert.equal((await fetch(new URL('../package.json', url))).status, 404);
    assert.equal((await fetch(new URL('%2e%2e/%2e%2e/etc/passwd', url))).status, 404);
    assert.equal((await fetch(url, { method: 'POST', body: 'x' })).status, 405);
  });

  it('stops on SIGTERM with status 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('refuses a bad port and a folder without a built page, exit 2, naming what is wrong', async () => {
    const bad = await run(process.execPath, ['dist/main.js', 'playground', '--port', 'x']).catch((err: { code: number; stderr: string }) => err);
    assert.equal((bad as { code: number }).code, 2);
    assert.match((bad as { stderr: string }).stderr, /--port must be a port number from 0 to 65535, got "x"/);
    const missing = await run(process.execPath, ['dist/main.js', 'playground', '--dir', 'no/such/dir']).catch((err: { code: number; stderr: string }) => err);
    assert.equal((missing as { code: number }).code, 2);
    assert.match((missing as { stderr: string }).stderr, /no\/such\/dir: no built playground there \(run npm run build, or give --dir\)/);
  });
});
