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

/** The chdb module; the first call decides the allocator's settings for the whole process. */
export function loadChdb(memory: Partial<MemoryConfig> = {}): typeof Chdb {
  if (loaded) return loaded;
  const conf = engineAllocatorConf(memory);
  if (conf !== null && process.env[ALLOCATOR_ENV] === undefined) process.env[ALLOCATOR_ENV] = conf;
  loaded = createRequire(import.meta.url)('chdb') as typeof Chdb;
  return loaded;
}
