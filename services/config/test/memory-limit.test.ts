/**
 * The memory this process may use: the lowest of its cgroup's limits (v2 and
 * v1, its group and the parents it can see) and the machine's RAM; and an
 * unset memory.profile that follows it.
 */
import { describe, expect, it } from 'vitest';
import { memoryLimit, AUTO_MINIMAL_BELOW } from '../memory-limit.js';
import { resolveConfig, explainConfig } from '../resolve.js';
import { MEMORY_PROFILES } from '../../../schemas/config.js';

const GiB = 2 ** 30, MiB = 2 ** 20;
const files = (f: Record<string, string>) => (p: string) => f[p] ?? null;

describe('memoryLimit', () => {
  it('cgroup v2: the lowest memory.max of the group and its parents; "max" is no limit', () => {
    const read = files({
      '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/memory.max': 'max\n',
      '/sys/fs/cgroup/kubepods/pod1/memory.max': `${512 * MiB}\n`,
      '/sys/fs/cgroup/kubepods/memory.max': `${8 * GiB}\n`,
    });
    expect(memoryLimit(read, 24 * GiB)).toEqual({ bytes: 512 * MiB, from: '/sys/fs/cgroup/kubepods/pod1/memory.max' });
    // memory.high (systemd MemoryHigh=): past it the kernel reclaims and throttles, so it bounds the same way
    const high = files({ '/proc/self/cgroup': '0::/app\n', '/sys/fs/cgroup/app/memory.max': `${2 * GiB}`, '/sys/fs/cgroup/app/memory.high': `${800 * MiB}\n` });
    expect(memoryLimit(high, 24 * GiB)).toEqual({ bytes: 800 * MiB, from: '/sys/fs/cgroup/app/memory.high' });
  });

  it('cgroup v1: the memory controller\'s line, even shared with others; its "unlimited" is a huge number', () => {
    const read = files({
      '/proc/self/cgroup': '5:cpu,cpuacct:/\n4:memory:/docker/abc\n0::/\n',
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/docker/memory.limit_in_bytes': `${1 * GiB}\n`,
    });
    expect(memoryLimit(read, 24 * GiB).bytes).toBe(1 * GiB);
    const combined = files({ '/proc/self/cgroup': '3:memory,hugetlb:/\n', '/sys/fs/cgroup/memory/memory.limit_in_bytes': `${300 * MiB}` });
    expect(memoryLimit(combined, 24 * GiB)).toEqual({ bytes: 300 * MiB, from: '/sys/fs/cgroup/memory/memory.limit_in_bytes' });
  });

  it('no cgroup limit, or nothing readable: the machine\'s RAM, when that is lower', () => {
    expect(memoryLimit(files({}), 2 * GiB)).toEqual({ bytes: 2 * GiB, from: 'the machine\'s RAM' });
    expect(memoryLimit(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/memory.max': 'max' }), 700 * MiB).bytes).toBe(700 * MiB);
    expect(memoryLimit(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/memory.max': `${64 * GiB}` }), 4 * GiB).bytes).toBe(4 * GiB);
  });

  it('reads this process\'s own cgroup files without failing', () => {
    const l = memoryLimit();
    expect(l.bytes).toBeGreaterThan(0);
    expect(l.from).toBeTruthy();
  });
});

describe('an unset memory.profile', () => {
  const small = { bytes: 4 * GiB, from: 'the machine\'s RAM' };
  const tight = { bytes: 512 * MiB, from: '/sys/fs/cgroup/memory.max' };

  it('is minimal under the limit, with its batch size, and says why', () => {
    expect(AUTO_MINIMAL_BELOW).toBeGreaterThan(tight.bytes);
    const r = explainConfig({ env: {}, memoryLimit: tight });
    expect(r.config.memory.profile).toBe('minimal');
    expect(r.config.batch.rows).toBe(MEMORY_PROFILES.minimal.batch_rows);
    expect(r.origins['memory.profile']).toBe('auto:512 MiB limit (/sys/fs/cgroup/memory.max)');
  });

  it('on a ClickHouse server store stays small (the engine is not in this process)', () => {
    expect(resolveConfig({ env: { CLICKHOUSE_URL: 'http://ch:8123' }, memoryLimit: tight }).memory.profile).toBe('small');
  });

  it('is small with room to spare; a profile or batch size named anywhere wins', () => {
    expect(resolveConfig({ env: {}, memoryLimit: small }).memory.profile).toBe('small');
    expect(resolveConfig({ env: {}, memoryLimit: small }).batch.rows).toBe(MEMORY_PROFILES.small.batch_rows);
    expect(resolveConfig({ env: { FLOWLOG_MEMORY_PROFILE: 'small' }, memoryLimit: tight }).memory.profile).toBe('small');
    expect(resolveConfig({ env: { FLOWLOG_MEMORY_PROFILE: 'large' }, memoryLimit: tight }).batch.rows).toBe(MEMORY_PROFILES.large.batch_rows);
    expect(resolveConfig({ env: { FLOWLOG_BATCH_ROWS: '100000' }, memoryLimit: tight }).batch.rows).toBe(100000);
  });
});
