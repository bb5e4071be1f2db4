/**
 * The durable cursor of an S3 source in poll mode.
 *
 * The ledger already makes a round skip what is stored, but a round that
 * lists every day since the source's `from` grows by a day's listing each
 * day. For a prefix in the date-partitioned AWS layout (one folder per day),
 * the cursor remembers the key date up to which everything listed is stored,
 * and the next round lists only the day folders from `lookback` before it:
 * objects delivered late into a recent folder are still found, and the cost
 * of a round stays two or three listings however old the source is.
 *
 * An object left unfinished (the server failed) holds the cursor at its
 * date, so the next round lists it again. The cursor is stored by the
 * committer (services/commit/cursor.ts): this module only says where it goes.
 */
import { keyTime, listsByDay } from './key-date.js';

/**
 * Where a round starts listing: the cursor less the lookback, when the prefix
 * is listed by day folders (else listing is the same cost anyway, and a date
 * filter would drop keys without a date); never before the configured `from`.
 */
export function pollFrom(prefix: string, configured: Date | undefined, cursor: Date | null, lookbackMs: number): Date | undefined {
  if (!cursor || !listsByDay(prefix)) return configured;
  const from = new Date(cursor.getTime() - lookbackMs);
  return configured && configured > from ? configured : from;
}

/** After a round: the oldest unfinished object's date, else the newest listed key's, else where it was. */
export function nextCursor(listedKeys: readonly string[], unfinishedKeys: readonly string[], current: Date | null): Date | null {
  let oldestStuck = Infinity, newest = -Infinity;
  for (const k of unfinishedKeys) { const t = keyTime(k)?.getTime(); if (t !== undefined && t < oldestStuck) oldestStuck = t; }
  if (oldestStuck !== Infinity) return new Date(oldestStuck);
  for (const k of listedKeys) { const t = keyTime(k)?.getTime(); if (t !== undefined && t > newest) newest = t; }
  if (newest === -Infinity) return current;
  return current && current.getTime() > newest ? current : new Date(newest);
}
