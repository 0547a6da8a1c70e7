import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { parseFlags, UsageError } from '../../../src/cli/args.js';
import { SERVE_FLAGS, serveOptionsFrom } from '../../../src/cli/serve.js';

const logger = pino({ level: 'silent' });
const optionsOf = (...argv: string[]) => serveOptionsFrom(parseFlags(argv, SERVE_FLAGS).values, logger);

describe('serve flags', () => {
  it('rejects malformed durations, ports and failure preferences as usage errors', () => {
    for (const argv of [['--drain-period=30'], ['--shutdown-delay=soon'], ['--cert-reload-interval=-1s'], ['--deadline-failure=maybe'], ['--metrics-port=70000'], ['--port=-1'], ['--max-inflight-bytes=0'], ['--max-inflight-bytes=32MB'], ['--config-reload-interval=often']]) {
      assert.throws(() => optionsOf(...argv), UsageError, argv.join(' '));
    }
  });

  it('turns Go durations and zero into milliseconds of the typed runtime options', () => {
    const options = optionsOf('--drain-period=1m30s', '--shutdown-delay=0', '--cert-reload-interval=500ms', '--deadline-failure=allow', '--metrics-port=0', '--port=0');
    assert.equal(options.drainMs, 90_000);
    assert.equal(options.delayMs, 0);
    assert.equal(options.certReloadMs, 500);
    assert.equal(options.deadlineFailure, 'allow');
    assert.deepEqual(options.metrics, { host: '0.0.0.0', port: 0, optional: false });
    assert.equal(options.port, 0);
  });

  it('reads the client CA, the config re-read period and the in-flight bound', () => {
    const options = optionsOf('--client-ca=/etc/portcullis/client-ca/ca.crt', '--config-reload-interval=0', '--max-inflight-bytes=512Ki');
    assert.equal(options.clientCaFile, '/etc/portcullis/client-ca/ca.crt');
    assert.equal(options.configResyncMs, 0);
    assert.equal(options.maxInflightBytes, 512 * 1024);
    assert.equal(optionsOf('--max-inflight-bytes=1048576').maxInflightBytes, 1048576);
    assert.equal(optionsOf().maxInflightBytes, 32 * 1024 * 1024);
    assert.equal(optionsOf().configResyncMs, 30_000);
    assert.equal(optionsOf().clientCaFile, undefined);
  });

  it('defaults: the shipped examples, 30 s drain, deny on deadline, an optional default metrics port, no registration', () => {
    const options = optionsOf();
    assert.deepEqual(options.sources, { crdPaths: ['manifests/crds'], policyPaths: ['policies'] });
    assert.equal(options.drainMs, 30_000);
    assert.equal(options.deadlineFailure, 'deny');
    assert.deepEqual(options.metrics, { host: '0.0.0.0', port: 9090, optional: true });
    assert.equal(options.afterListen, undefined);
    assert.equal(typeof optionsOf('--register').afterListen, 'function');
  });
});
