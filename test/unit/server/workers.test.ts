import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cgroupCpuLimit, defaultWorkerCount } from '../../../src/server/workers.js';

const files = (map: Record<string, string>) => (file: string) => {
  const text = map[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
};

describe('cgroupCpuLimit', () => {
  it('reads the cgroup v2 quota, rounded up to whole CPUs', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' })), 2);
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' })), 1);
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '400000 100000\n' })), 4);
  });

  it('has no limit for "max" or when no cgroup file exists', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), undefined);
    assert.equal(cgroupCpuLimit(files({})), undefined);
  });

  it('falls back to cgroup v1 quota and period; -1 is no limit', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' })), 3);
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' })), undefined);
  });
});

describe('defaultWorkerCount', () => {
  it('is the CPUs the process may run on, capped by the quota, at least 1', () => {
    assert.equal(defaultWorkerCount(8, undefined), 8);
    assert.equal(defaultWorkerCount(8, 2), 2);
    assert.equal(defaultWorkerCount(2, 4), 2);
    assert.equal(defaultWorkerCount(1, undefined), 1);
  });
});
