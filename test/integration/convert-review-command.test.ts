import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { runReview } from '../../src/cli/review.js';

async function run(args: string[]): Promise<{ code: number; out: unknown }> {
  let text = '';
  const code = await runReview(args, { stdout: (s) => void (text += s), stdin: async () => '' });
  return { code, out: JSON.parse(text) };
}

const fixture = async (name: string) => JSON.parse(await readFile(`test/fixtures/conversion/${name}`, 'utf8')) as unknown;

describe('portcullis review with a ConversionReview file', () => {
  it('prints exactly the docs answer for the docs CronTab review and exits 0', async () => {
    const { code, out } = await run(['test/fixtures/conversion/crontab-docs-review.json']);
    assert.equal(code, 0);
    assert.deepEqual(out, await fixture('crontab-docs-response.json'));
  });

  it('prints the Failure answer and exits 1 when a conversion fails', async () => {
    const { code, out } = await run(['test/fixtures/conversion/crontab-unknown-version-review.json']);
    assert.equal(code, 1);
    assert.deepEqual(out, await fixture('crontab-unknown-version-response.json'));
  });

  it('uses the converters of --policies, code converters included', async () => {
    const args = ['--crds', 'test/fixtures/conversion/crds', '--policies', 'test/fixtures/conversion/policies'];
    const gizmo = await run([...args, 'test/fixtures/conversion/gizmo-review.json']);
    assert.equal(gizmo.code, 0);
    const response = (gizmo.out as { response: { uid: string; convertedObjects: Array<{ apiVersion: string; spec: unknown }> } }).response;
    assert.equal(response.uid, '9d1c3e5a-7b2f-4c6d-8e0a-1b3c5d7e9f01');
    assert.deepEqual(response.convertedObjects.map((o) => [o.apiVersion, o.spec]), [['demo.portcullis.dev/v2', { ports: [80, 443] }]]);
    const crontab = await run([...args, 'test/fixtures/conversion/crontab-docs-review.json']);
    assert.equal(crontab.code, 1, 'no CronTab converter under those policies');
    assert.match((crontab.out as { response: { result: { message: string } } }).response.result.message, /^default\/local-crontab: example.com\/v1beta1 -> example.com\/v1: kind: no converter is configured for example.com\/CronTab$/);
  });
});
