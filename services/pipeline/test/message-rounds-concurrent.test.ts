/**
 * Rounds of different streams at once (the Kafka source's concurrency): the
 * engine runs one statement at a time, so a round is parsed while another
 * round's insert runs. Each stream's protocol stays as it was: its intent is
 * written before its rows, its stored mark after, and every row lands once.
 * With S3 notifications possible, rounds stay one at a time (which notified
 * objects a round skips depends on what rounds before it stored).
 */
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3Allowlist } from '../../sources/s3/allowlist.js';
import type { RoundControl, SourceMessage } from '../../sources/source.js';
import type { FlowStore, LedgerEntry } from '../../store/store.js';
import { MessageRounds } from '../message-rounds.js';
import { perMessage } from './per-message.js';

const LINES = 20;
const lines = benchLines(40 * LINES, 9);
const msgs = (from: number): SourceMessage[] => Array.from({ length: 10 }, (_, i) => ({
  offset: i, value: Buffer.from(`${HEADER}\n${lines.slice((from + i) * LINES, (from + i + 1) * LINES).join('\n')}`),
}));
const ctl: RoundControl = { isRunning: () => true };

type Event = `intent ${string}` | `stored ${string}` | 'encode' | 'rows';

/**
 * The store, recording what reaches it; the first flows insert is held until
 * `release` resolves (as the engine would hold it while it writes).
 */
function watched(store: FlowStore, release: Promise<void>): { store: FlowStore; events: Event[]; firstInsert: Promise<void> } {
  const events: Event[] = [];
  let inserts = 0;
  let started!: () => void;
  const firstInsert = new Promise<void>((r) => { started = r; });
  const proxy = overriding(store, {
    recordLedger: async (entries: readonly LedgerEntry[]) => {
      for (const e of entries) if (e.state) events.push(`${e.state} ${e.object}`);
      return store.recordLedger(entries);
    },
    prepareFlows: (b) => { events.push('encode'); return store.prepareFlows(b); },
    insertPrepared: async (p, token) => {
      events.push('rows');
      if (inserts++ === 0) { started(); await release; }
      return store.insertPrepared(p, token);
    },
  });
  return { store: proxy, events, firstInsert };
}

describe('rounds of different streams at once', () => {
  it('parses one round while the other is being inserted, each intent before its rows, every row once', async () => {
    await withStore(async (raw) => {
      let free!: () => void;
      const w = watched(raw, new Promise<void>((r) => { free = r; }));
      const rounds = new MessageRounds(w.store, { capacity: 1000 });
      await rounds.load();
      // handed over together, as kafkajs does: b waits for the parse turn, then parses while a's insert is held
      const a = rounds.storeRound('flows/0', msgs(0), ctl, 0);
      const b = rounds.storeRound('flows/1', msgs(10), ctl, 0);
      await w.firstInsert;
      try {
        for (let i = 0; i < 500 && w.events.length < 6; i++) await new Promise((r) => setTimeout(r, 10));
        // parsing side by side, both would encode before either insert: encode, encode, intent, intent, rows, rows
        expect(w.events).toEqual(['encode', 'intent flows/0', 'rows', 'encode', 'intent flows/1', 'rows']);
      } finally {
        free(); // the store must not close under a held insert
        await Promise.allSettled([a, b]);
      }
      expect(await a).toEqual({ through: 10, stored: true });
      expect(await b).toEqual({ through: 10, stored: true });
      expect(await perMessage(raw, LINES)).toEqual({ messages: 20, bad: 0, total: 20 * LINES });
      const state = await raw.ledgerState('kafka');
      expect([state.get('flows/0')?.storedRows, state.get('flows/1')?.storedRows]).toEqual([10, 10]);
      expect([state.get('flows/0')?.intent, state.get('flows/1')?.intent]).toEqual([undefined, undefined]);
    });
  });

  it('with S3 notifications possible, a round starts only when the one before it is stored', async () => {
    await withStore(async (raw) => {
      let free!: () => void;
      const w = watched(raw, new Promise<void>((r) => { free = r; }));
      const s3 = { client: {} as S3Client, allow: new S3Allowlist([]) };
      const rounds = new MessageRounds(w.store, { capacity: 1000, s3 });
      await rounds.load();
      const a = rounds.storeRound('flows/0', msgs(0), ctl, 0);
      await w.firstInsert;
      const b = rounds.storeRound('flows/1', msgs(10), ctl, 0);
      try {
        await new Promise((r) => setTimeout(r, 100));
        expect(w.events).toEqual(['encode', 'intent flows/0', 'rows']); // b waits: it has not even been parsed
      } finally {
        free();
        await Promise.allSettled([a, b]);
      }
      expect(w.events).toEqual(['encode', 'intent flows/0', 'rows', 'stored flows/0', 'encode', 'intent flows/1', 'rows', 'stored flows/1']);
      expect(await perMessage(raw, LINES)).toEqual({ messages: 20, bad: 0, total: 20 * LINES });
    });
  });

  it('rounds share one batch buffer; one abandoned mid-parse leaves none of its rows to the next', async () => {
    await withStore(async (raw) => {
      const buffers = new Set<unknown>();
      const order: string[] = [];
      const store = overriding(raw, { prepareFlows: (b) => { buffers.add(b); order.push('encode'); return raw.prepareFlows(b); } });
      const rounds = new MessageRounds(store, { capacity: 1000 });
      await rounds.load();
      // both stored: one buffer lent in turn, not one per round held (each is `capacity` rows, ~124 MB at the default)
      await Promise.all([rounds.storeRound('flows/0', msgs(0), ctl, 0), rounds.storeRound('flows/1', msgs(10), ctl, 0)]);
      expect(buffers.size).toBe(1);
      // a stops after 5 of its 10 messages, its 100 rows parsed and not flushed, while b waits for the parse turn
      let checks = 0;
      const stopping: RoundControl = { isRunning: () => { order.push('a'); return ++checks <= 5; } };
      order.length = 0;
      const a = rounds.storeRound('flows/2', msgs(20), stopping, 0);
      const b = rounds.storeRound('flows/3', msgs(30), ctl, 0);
      expect(await a).toBeNull();
      expect(await b).toEqual({ through: 10, stored: true });
      // a parsed first and gave the buffer up; b's one batch was encoded after
      expect(order).toEqual(['a', 'a', 'a', 'a', 'a', 'a', 'encode']);
      const bySource = await raw.queryRows<{ s: string; n: string }>("SELECT splitByChar('@', source)[1] AS s, count() AS n FROM flows GROUP BY s ORDER BY s");
      expect(bySource.map((r) => [r.s, Number(r.n)])).toEqual([['kafka:flows/0', 10 * LINES], ['kafka:flows/1', 10 * LINES], ['kafka:flows/3', 10 * LINES]]);
    });
  });

  it('a round of only undecodable messages still writes its intent, then its rejects and its stored mark', async () => {
    await withStore(async (raw) => {
      const w = watched(raw, Promise.resolve());
      const rounds = new MessageRounds(w.store, { capacity: 1000 });
      await rounds.load();
      const junk: SourceMessage[] = [{ offset: 0, value: Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3]) }];
      expect(await rounds.storeRound('flows/0', junk, ctl, 0)).toEqual({ through: 1, stored: true });
      expect(w.events).toEqual(['intent flows/0', 'stored flows/0']);
      expect(rounds.stats.rejected).toBe(1);
    });
  });
});
