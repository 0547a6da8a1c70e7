import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { UsageError } from '../../../src/cli/args.js';
import { createServeRuntime } from '../../../src/cli/serve-runtime.js';

const base = { logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0, certDir: '/nonexistent', sources: { crdPaths: [], policyPaths: [] } };

describe('createServeRuntime', () => {
  it('rejects malformed durations, ports and failure preferences as usage errors', () => {
    for (const values of [{ 'drain-period': '30' }, { 'shutdown-delay': 'soon' }, { 'cert-reload-interval': '-1s' }, { 'deadline-failure': 'maybe' }, { 'metrics-port': '70000' }]) {
      assert.throws(() => createServeRuntime({ ...base, values }), UsageError, JSON.stringify(values));
    }
  });

  it('accepts Go durations and zero', () => {
    assert.doesNotThrow(() => createServeRuntime({ ...base, values: { 'drain-period': '1m30s', 'shutdown-delay': '0', 'cert-reload-interval': '500ms', 'deadline-failure': 'allow' } }));
  });

  it('hands the app its metrics, the deadline preference, and a readiness that is false until a certificate is loaded', async () => {
    const runtime = createServeRuntime({ ...base, values: { 'deadline-failure': 'allow' } });
    assert.deepEqual(runtime.appOptions.deadline, { failure: 'allow' });
    assert.equal(runtime.appOptions.metrics, runtime.metrics);
    assert.deepEqual(runtime.appOptions.ready(), { ready: false, reason: 'no certificate loaded' });
    assert.match(await runtime.registry.metrics(), /^# TYPE controller_runtime_webhook_requests_total counter$/m);
  });

  it('fails to start, listening nowhere, when the certificate folder is empty', async () => {
    const runtime = createServeRuntime({ ...base, values: {} });
    await assert.rejects(runtime.start(() => undefined), { code: 'PCL_ERR_CERTIFICATE' });
  });
});
