/**
 * Retries with exponential backoff and jitter, for errors that can pass
 * (network, overload, too many parts). Errors that can never succeed (bad
 * data, unknown table, syntax) are thrown at once: retrying them would only
 * delay the quarantine.
 */
export interface RetryOptions { attempts?: number; baseMs?: number; maxMs?: number; onRetry?: (err: unknown, attempt: number, waitMs: number) => void }

/** ClickHouse error codes worth retrying: overload, timeouts, network, memory pressure, merges behind. */
const TRANSIENT_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-request)
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (replica temporarily read-only)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);
const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: unknown; message?: string };
  if (typeof e?.code === 'string' && TRANSIENT_NET.has(e.code)) return true;
  const chCode = Number(e?.code);
  if (Number.isInteger(chCode) && chCode > 0) return TRANSIENT_CODES.has(chCode);
  if (/socket hang up|timeout|ECONNRESET|ECONNREFUSED/i.test(e?.message ?? '')) return true;
  return e?.cause !== undefined && e.cause !== err ? isTransient(e.cause) : false;
}

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 8, base = opts.baseMs ?? 200, max = opts.maxMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      const wait = Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      opts.onRetry?.(err, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
