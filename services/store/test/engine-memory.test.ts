/**
 * The memory section reaches the embedded engine: its profile's caches and
 * threads, each key overriding, as server settings of the opened session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEMORY_PROFILES, configSchema } from '../../../schemas/config.js';
import { ChdbStore } from '../chdb-store.js';
import { engineAllocatorConf, engineArgs } from '../engine-memory.js';

const MB = 1 << 20;

describe('memory settings of the embedded engine', () => {
  it('defaults to the small profile; a key overrides its profile', () => {
    expect(configSchema.parse({}).memory.profile).toBe('small');
    expect(engineArgs()).toEqual(engineArgs({ profile: 'small' }));
    expect(engineArgs()).toContain(`--mark_cache_size=${MEMORY_PROFILES.small.mark_cache_mb * MB}`);
    expect(engineArgs()).toContain('--max_threads=2');
    expect(engineArgs({ profile: 'large' })).toContain(`--uncompressed_cache_size=${1024 * MB}`);
    expect(engineArgs({ profile: 'large' }).some((a) => a.startsWith('--max_threads'))).toBe(false);
    expect(engineArgs({ profile: 'large', engine_threads: 6 })).toContain('--max_threads=6');
    expect(engineArgs({ engine_limit_mb: 400 })).toContain(`--max_server_memory_usage=${400 * MB}`);
    expect(() => configSchema.parse({ memory: { profile: 'huge' } })).toThrow();
  });

  it('sets the allocator decay by profile: minimal and small return freed memory after 50 ms, large keeps the engine\'s own', () => {
    expect(engineAllocatorConf()).toBe('dirty_decay_ms:50,muzzy_decay_ms:0');
    expect(engineAllocatorConf({ profile: 'minimal' })).toBe('dirty_decay_ms:50,muzzy_decay_ms:0');
    expect(engineAllocatorConf({ profile: 'large' })).toBeNull();
    expect(engineAllocatorConf({ profile: 'large', engine_decay_ms: 1000 })).toBe('dirty_decay_ms:1000,muzzy_decay_ms:0');
    expect(engineAllocatorConf({ engine_decay_ms: 250 })).toBe('dirty_decay_ms:250,muzzy_decay_ms:0');
    expect(configSchema.parse({ memory: { engine_decay_ms: 0 } }).memory.engine_decay_ms).toBe(0);
    expect(() => configSchema.parse({ memory: { engine_decay_ms: -1 } })).toThrow();
  });

  it('opens the engine with them: caches, pools and the memory cap as server settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-mem-'));
    const store = new ChdbStore(join(dir, 'store'), { memory: { profile: 'small', mark_cache_mb: 48, merge_threads: 3, engine_limit_mb: 3000 } });
    try {
      const rows = await store.queryRows<{ name: string; value: string }>(
        "SELECT name, value FROM system.server_settings WHERE name IN ('mark_cache_size', 'index_mark_cache_size', 'background_pool_size', 'max_server_memory_usage') ORDER BY name");
      expect(Object.fromEntries(rows.map((r) => [r.name, Number(r.value)]))).toEqual({
        background_pool_size: 3, index_mark_cache_size: MEMORY_PROFILES.small.index_cache_mb * MB, mark_cache_size: 48 * MB, max_server_memory_usage: 3000 * MB,
      });
      const [t] = await store.queryRows<{ value: string }>("SELECT value FROM system.settings WHERE name = 'max_threads'");
      expect(t!.value).toBe('2');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
