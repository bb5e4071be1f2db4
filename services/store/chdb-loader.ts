/**
 * Loads the chdb library on first use, after telling its allocator how soon to
 * hand freed memory back to the system. chdb's engine allocates through its own
 * jemalloc, which reads JE_MALLOC_CONF once, when the library loads; a setting
 * applied later has no effect. So the library is not imported at module load
 * but here, when the first embedded store opens, with the memory section known.
 * A JE_MALLOC_CONF already in the environment wins (the operator's own tuning).
 */
import { createRequire } from 'node:module';
import type * as Chdb from 'chdb';
import { engineAllocatorConf } from './engine-memory.js';
import type { MemoryConfig } from '../../schemas/config.js';

export const ALLOCATOR_ENV = 'JE_MALLOC_CONF';

let loaded: typeof Chdb | null = null;
let applied: string | null = null;

/** The chdb module; the first call decides the allocator's settings for the whole process. */
export function loadChdb(memory: Partial<MemoryConfig> = {}): typeof Chdb {
  if (loaded) return loaded;
  const own = process.env[ALLOCATOR_ENV] === undefined ? engineAllocatorConf(memory) : null;
  if (own !== null) process.env[ALLOCATOR_ENV] = own;
  applied = process.env[ALLOCATOR_ENV] ?? null;
  try {
    loaded = createRequire(import.meta.url)('chdb') as typeof Chdb;
  } finally {
    // jemalloc has read it by now (it initialises while the library loads); left set, every child
    // process (a bench's flowlog ingest with another profile) would take it for the operator's own
    if (own !== null) delete process.env[ALLOCATOR_ENV];
  }
  return loaded;
}

/** What the engine's allocator was given when chdb loaded (null: its own defaults, or not loaded yet). */
export const allocatorConf = (): string | null => applied;
