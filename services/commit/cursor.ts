/**
 * A source's durable cursor (S3 polling by day folders): written only after
 * the round it describes is stored, so a crash leaves it behind, never ahead.
 * The rules for where it moves live with the source (sources/s3/poll-cursor.ts).
 */
import { chTime, fromChTime } from '../store/ch-time.js';
import type { FlowStore } from '../store/store.js';

export async function readCursor(store: FlowStore, source: string): Promise<Date | null> {
  const [r] = await store.queryRows<{ c: string; n: string }>(
    'SELECT argMax(cursor, updated_at) AS c, count() AS n FROM source_cursors WHERE source = {s:String}', { s: source });
  return r && Number(r.n) > 0 ? fromChTime(r.c) : null;
}

export async function moveCursor(store: FlowStore, source: string, cursor: Date): Promise<void> {
  const body = Buffer.from(JSON.stringify({ source, cursor: chTime(cursor) }));
  // a cursor may go back (an unfinished object) to a value it had before: each write is its own row
  await store.insertJsonLines('source_cursors', ['source', 'cursor'], body, `cursor:${source}:${Date.now()}:${Math.random()}`);
}
