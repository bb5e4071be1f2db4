/**
 * The embedded engine's memory settings (the memory: section) as the
 * command-line arguments chdb takes when a session opens: caches and pools are
 * server configuration, fixed before the first query, so they cannot be SET
 * later. Measured figures: docs/performance.md, Memory.
 */
import { MEMORY_PROFILES, type MemoryConfig } from '../../schemas/config.js';

const MB = 1 << 20;

/** `--name=value` arguments for a chdb Session from the memory section (its profile, then each key set). */
export function engineArgs(memory: Partial<MemoryConfig> = {}): string[] {
  const p = { ...MEMORY_PROFILES[memory.profile ?? 'small'] };
  const v = {
    mark: memory.mark_cache_mb ?? p.mark_cache_mb,
    index: memory.index_cache_mb ?? p.index_cache_mb,
    uncompressed: memory.uncompressed_cache_mb ?? p.uncompressed_cache_mb,
    threads: memory.engine_threads ?? p.engine_threads,
    merges: memory.merge_threads ?? p.merge_threads,
  };
  const args = [
    `--mark_cache_size=${v.mark * MB}`,
    `--index_mark_cache_size=${v.index * MB}`,
    `--primary_index_cache_size=${v.index * MB}`,
    `--uncompressed_cache_size=${v.uncompressed * MB}`,
  ];
  if (v.threads > 0) args.push(`--max_threads=${v.threads}`);
  if (v.merges > 0) args.push(`--background_pool_size=${v.merges}`);
  if (memory.engine_limit_mb !== undefined) args.push(`--max_server_memory_usage=${memory.engine_limit_mb * MB}`);
  return args;
}

/**
 * The engine allocator's (jemalloc's) settings from the memory section: how
 * long it keeps freed pages for reuse before returning them to the system
 * (seconds by default: 70-135 MB of ingest's peak). Once that time is up they
 * go back at once (muzzy decay 0, as the engine's own build has it): we used
 * to set the muzzy decay as long again, and pages left lazily freed count in
 * RSS until the kernel wants them (40-58 MB of the small profile's peak, no
 * CPU on large objects). 50 ms (minimal and small) keeps ~25-55 MB more than
 * 0 but runs 1.2x faster, since 0 has the allocator fault in again the pages
 * each batch frees; at 131,072-row batches 50 ms peaked 17-34 MB under 100 ms
 * (small's was 200) in the same time. null: the engine's own.
 */
export function engineAllocatorConf(memory: Partial<MemoryConfig> = {}): string | null {
  const ms = memory.engine_decay_ms ?? MEMORY_PROFILES[memory.profile ?? 'small'].engine_decay_ms;
  return ms === null ? null : `dirty_decay_ms:${ms},muzzy_decay_ms:0`;
}
