/**
 * e2eSuite: registers an end-to-end `describe` block only where a control plane can be had.
 *
 * Where neither KUBEBUILDER_ASSETS, nor the binary cache, nor Go is available, it prints one line
 * saying the suite was skipped and why, and registers nothing. Under CI=true that situation is a
 * failure instead: it registers one test that fails with the same reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkAvailability } from './binaries.js';

/** e2eSuite checks availability, then either registers `describe(name, body)` or reports the skip. */
export async function e2eSuite(name: string, body: () => void): Promise<void> {
  const availability = await checkAvailability();
  if (availability.ok) {
    describe(name, body);
    return;
  }
  const line = `end-to-end suite "${name}" skipped: ${availability.reason}`;
  if (process.env.CI === 'true') {
    test(`${name}: a control plane is available under CI=true`, () => {
      assert.fail(`${line}; under CI=true a skipped end-to-end suite is a failure (set KUBEBUILDER_ASSETS or install Go)`);
    });
    return;
  }
  console.log(line);
}

/**
 * scenarioWithDiagnostics returns a `test` that, when it fails, prints what the servers said
 * (portcullis, etcd and kube-apiserver log tails): a bare kubectl error rarely explains itself.
 */
export function scenarioWithDiagnostics(env: () => { diagnostics(): string } | undefined) {
  return (name: string, fn: () => Promise<void>) =>
    test(name, async () => {
      try {
        await fn();
      } catch (err) {
        console.error(env()?.diagnostics());
        throw err;
      }
    });
}
