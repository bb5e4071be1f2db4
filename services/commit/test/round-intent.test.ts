/**
 * A round's intent: armed by beginRound, written by the round's first insert
 * (just before it), once, whichever attempt that is; dropped by endRound when
 * the round never inserted, so a pooled committer never carries it into the
 * next round (a replay, which arms none, must write none).
 */
import { describe, expect, it } from 'vitest';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { RejectBatch } from '../../core/rejects.js';
import { openObjectParser } from '../../parse/object-parser.js';
import type { FlowStore, LedgerEntry, PreparedFlows } from '../../store/store.js';
import { Committer, type Round } from '../committer.js';

function loggingStore(): { store: FlowStore; log: string[] } {
  const log: string[] = [];
  const store = {
    kind: 'embedded',
    prepareFlows: (b: { length: number }): PreparedFlows => ({ rows: b.length, columns: [], data: Buffer.alloc(0) }),
    async insertPrepared(p: PreparedFlows) { log.push(`rows ${p.rows}`); },
    async insertRejects() { /* none here */ },
    async insertJsonLines() { /* none here */ },
    async recordLedger(entries: readonly LedgerEntry[]) { for (const e of entries) if (e.state) log.push(`${e.state} ${e.firstPosition}-${e.lastPosition}`); },
  } as unknown as FlowStore;
  return { store, log };
}

const round: Round = { kind: 'kafka', stream: 't/0', first: 0, end: 2 };
const message = (n: number) => openObjectParser('kafka:t/0@0', Buffer.from(`${HEADER}\n${benchLines(n, 3).join('\n')}\n`), {});
const msg = { name: 'kafka:t/0@0', identity: '', noLedger: true };

describe('a round\'s intent', () => {
  it('is written right before the first insert, not at beginRound', async () => {
    const { store, log } = loggingStore();
    const c = new Committer(store, { sourceKind: 's3', capacity: 100 });
    c.beginRound(round);
    expect(log).toEqual([]);
    await c.ingestObject(msg, message(150)); // one full batch flushed mid-object
    await c.commitRound(round, new RejectBatch());
    expect(log).toEqual(['intent 0-2', 'rows 100', 'rows 50', 'stored 0-2']);
  });

  it('is written once when the round runs again after its first insert (discard keeps nothing pending, and writes no second intent)', async () => {
    const { store, log } = loggingStore();
    const c = new Committer(store, { sourceKind: 's3', capacity: 100 });
    c.beginRound(round);
    await c.ingestObject(msg, message(150));
    await c.discard(); // a source outage mid-round: the round runs again
    await c.ingestObject(msg, message(150));
    await c.commitRound(round, new RejectBatch());
    expect(log.filter((l) => l.startsWith('intent'))).toEqual(['intent 0-2']);
    expect(log[0]).toBe('intent 0-2');
  });

  it('survives a discard before any insert: the next attempt writes it', async () => {
    const { store, log } = loggingStore();
    const c = new Committer(store, { sourceKind: 's3', capacity: 100 });
    c.beginRound(round);
    await c.discard();
    await c.ingestObject(msg, message(10));
    await c.commitRound(round, new RejectBatch());
    expect(log).toEqual(['intent 0-2', 'rows 10', 'stored 0-2']);
  });

  it('is dropped by endRound: the committer\'s next round (a replay) writes none', async () => {
    const { store, log } = loggingStore();
    const c = new Committer(store, { sourceKind: 's3', capacity: 100 });
    c.beginRound(round); // a round abandoned before its first insert
    await c.discard();
    c.endRound();
    await c.ingestObject(msg, message(10)); // the replay of a pending intent arms nothing
    await c.commitRound(round, new RejectBatch());
    expect(log).toEqual(['rows 10', 'stored 0-2']);
  });

  it('a round with no batch writes it before its stored mark', async () => {
    const { store, log } = loggingStore();
    const c = new Committer(store, { sourceKind: 's3', capacity: 100 });
    c.beginRound(round);
    const rejects = new RejectBatch();
    rejects.add('kafka:t/0@0', 0, 'DECODE', 'not gzip', '');
    await c.commitRound(round, rejects);
    expect(log).toEqual(['intent 0-2', 'stored 0-2']);
  });
});
