/** Flows stored per message source (`source` = kafka:stream@offset): how many messages, how many with other than `lines` rows, rows in all. */
import type { FlowStore } from '../../store/store.js';

export async function perMessage(store: FlowStore, lines: number): Promise<{ messages: number; bad: number; total: number }> {
  const [r] = await store.queryRows<{ messages: string; bad: string; total: string }>(
    `SELECT count() AS messages, countIf(c != ${lines}) AS bad, sum(c) AS total FROM (SELECT source, count() AS c FROM flows GROUP BY source)`);
  return { messages: Number(r!.messages), bad: Number(r!.bad), total: Number(r!.total) };
}
