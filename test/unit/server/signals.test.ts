import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { handleShutdownSignals } from '../../../src/server/signals.js';

describe('handleShutdownSignals', () => {
  it('starts one graceful shutdown on the first signal and exits 1 on the second', () => {
    const source = new EventEmitter();
    const shutdowns: string[] = [];
    const exits: number[] = [];
    handleShutdownSignals({ source, logger: pino({ level: 'silent' }), onShutdown: (s) => shutdowns.push(s), exit: (c) => exits.push(c) });
    source.emit('SIGINT');
    assert.deepEqual([shutdowns, exits], [['SIGINT'], []]);
    source.emit('SIGTERM');
    assert.deepEqual([shutdowns, exits], [['SIGINT'], [1]]);
  });

  it('removes its handlers when asked', () => {
    const source = new EventEmitter();
    const remove = handleShutdownSignals({ source, logger: pino({ level: 'silent' }), onShutdown: () => assert.fail('no handler left'), exit: () => undefined });
    remove();
    assert.equal(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT'), 0);
  });
});
