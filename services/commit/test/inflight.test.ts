/**
 * Batches in flight to a store that takes several at once (a ClickHouse
 * server): never more than the store's bound, and the ledger still in batch
 * order, each batch's ledger rows after every earlier batch's rows are stored,
 * even when later batches finish first; a failure mid-flight records nothing
 * past the failed batch.
 */
import { describe, expect, it } from 'vitest';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { openObjectParser } from '../../parse/object-parser.js';
import type { FlowStore, LedgerEntry, PreparedFlows } from '../../store/store.js';
import { Committer } from '../committer.js';

const LINES = 100, CAPACITY = 10; // 10 batches

/**
 * A store that finishes the newest flow insert first (once its bound is reached,
 * or when nothing new arrives for a moment), so later batches are stored before
 * earlier ones; it logs every step.
 */
function slowStore(maxInflightInserts: number, failBatch = -1) {
  const log: string[] = [];
  const pending: (() => void)[] = [];
  let seq = 0, running = 0, peak = 0;
  const releaseNewest = () => pending.pop()?.();
  let idle: NodeJS.Timeout | undefined;
  const store = {
    kind: 'server', maxInflightInserts,
    prepareFlows: (b: { length: number }): PreparedFlows => ({ rows: b.length, columns: [String(seq++)], data: Buffer.alloc(0) }),
    async insertPrepared(p: PreparedFlows) {
      const k = Number(p.columns[0]);
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${k}`);
      const done = new Promise<void>((r) => pending.push(r));
      clearInterval(idle);
      if (pending.length >= maxInflightInserts) releaseNewest();
      idle = setInterval(releaseNewest, 5);
      timers.push(idle);
      await done;
      running--;
      if (k === failBatch) throw new Error(`insert ${k} failed`);
      log.push(`rows ${k}`);
    },
    insertRejects: async () => undefined,
    async recordLedger(entries: readonly LedgerEntry[]) { log.push(`ledger ${entries[0]!.firstPosition / CAPACITY}`); },
  } as unknown as FlowStore;
  return { store, log, peak: () => peak };
}

async function ingest(store: FlowStore): Promise<void> {
  try { await ingestOnce(store); } finally { clearTimers(); }
}
const timers: NodeJS.Timeout[] = [];
const clearTimers = () => { for (const t of timers.splice(0)) clearInterval(t); };

async function ingestOnce(store: FlowStore): Promise<void> {
  const c = new Committer(store, { sourceKind: 'local', capacity: CAPACITY });
  const parser = openObjectParser('o', Buffer.from(`${HEADER}\n${benchLines(LINES, 3).join('\n')}\n`));
  await c.ingestObject({ name: 'o', identity: 'i' }, parser);
  await c.finish();
}

describe('batches in flight', () => {
  it('keeps to the store\'s bound and writes each ledger row after every earlier batch\'s rows, in batch order', async () => {
    const { store, log, peak } = slowStore(3);
    await ingest(store);
    expect(peak()).toBe(3);
    const ledgers = log.filter((l) => l.startsWith('ledger')).map((l) => Number(l.split(' ')[1]));
    expect(ledgers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const k of ledgers) {
      const at = log.indexOf(`ledger ${k}`);
      for (let j = 0; j <= k; j++) expect(log.indexOf(`rows ${j}`), `rows ${j} before ledger ${k}`).toBeLessThan(at);
    }
    // later batches did finish first: the order above is the committer's doing
    expect(log.indexOf('rows 2')).toBeLessThan(log.indexOf('rows 0'));
  });

  it('with one in flight (the embedded engine), starts the next insert only after the previous one\'s ledger', async () => {
    const { store, log, peak } = slowStore(1);
    await ingest(store);
    expect(peak()).toBe(1);
    for (let k = 1; k < 10; k++) expect(log.indexOf(`ledger ${k - 1}`)).toBeLessThan(log.indexOf(`start ${k}`));
  });

  it('a failed batch mid-flight: its error surfaces and no ledger row is written for it or any later batch', async () => {
    const { store, log } = slowStore(3, 4);
    await expect(ingest(store)).rejects.toThrow(/insert 4 failed/);
    const ledgers = log.filter((l) => l.startsWith('ledger')).map((l) => Number(l.split(' ')[1]));
    expect(ledgers).toEqual([0, 1, 2, 3]);
    // batches after it were in flight and stored: a replay drops them by their tokens
    expect(log).toContain('rows 5');
  });

  it('a batch that cannot be enriched or encoded: the error surfaces after the inserts in flight settle, and the batch is dropped', async () => {
    const { store, log } = slowStore(3);
    let applied = 0;
    const c = new Committer(store, { sourceKind: 'local', capacity: CAPACITY, enrich: { apply: () => { if (++applied === 4) throw new Error('enrich broke'); } } });
    const parser = openObjectParser('o', Buffer.from(`${HEADER}\n${benchLines(LINES, 3).join('\n')}\n`));
    try {
      await expect(c.ingestObject({ name: 'o', identity: 'i' }, parser)).rejects.toThrow(/enrich broke/);
    } finally { clearTimers(); }
    expect(c.batch.length).toBe(0);
    // the three batches before it were all stored and recorded before the error came out
    expect(log.filter((l) => l.startsWith('ledger'))).toEqual(['ledger 0', 'ledger 1', 'ledger 2']);
    expect(log.filter((l) => l.startsWith('start'))).toHaveLength(3);
  });
});
