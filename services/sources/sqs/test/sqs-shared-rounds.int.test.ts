/**
 * SQS rounds on the embedded store (cuts: 'shared', pipeline/sqs-shared-rounds.ts)
 * against real MinIO: a round's objects share batches, and a round cut short
 * at any write (a crash, a refused insert) is replayed exactly before the next
 * one, even when the messages come back in another order beside new ones.
 * Batches are 50 rows and objects 20: every batch holds several objects and
 * objects straddle batches, so a replay cut differently would store rows twice.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overriding } from '../../../../test/store-overrides.js';
import { testBucket } from '../../../../test/s3.js';
import { withStore } from '../../../../test/temp-store.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { SqsRounds } from '../../../pipeline/sqs-rounds.js';
import type { FlowStore } from '../../../store/store.js';
import { S3Allowlist } from '../../s3/allowlist.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import type { SqsMessage } from '../sqs-source.js';
import { notes } from './sqs.js';

const bucket = testBucket('flowlog-sqs-shared');
const OBJECTS = 12, LINES = 20;
const key = (i: number) => `AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/o${String(i).padStart(2, '0')}.log.gz`;
const heads: { etag: string; size: number }[] = [];
let s3: S3Client;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT must be set: the global setup starts MinIO (infra/s3/s3.sh)');
  s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const lines = benchLines(OBJECTS * LINES * 2, 41).filter((l) => !l.endsWith('NODATA'));
  for (let i = 0; i < OBJECTS; i++) {
    const body = gzipSync(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}\n`);
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: body }));
    heads.push({ etag: (r.ETag ?? '').replace(/"/g, ''), size: body.length });
  }
}, 120_000);
afterAll(() => { s3?.destroy(); });

/** A message naming objects `ids` (one S3 event with a record each). */
const message = (id: string, ...ids: number[]): SqsMessage => ({
  id, receipt: id, receiveCount: 1,
  body: JSON.stringify({ Records: ids.flatMap((i) => (JSON.parse(notes.s3(bucket, key(i), heads[i]!.etag, heads[i]!.size)) as { Records: unknown[] }).Records) }),
});
const first = () => [message('m0', 0, 1, 2), message('m1', 3, 4), message('m2', 5, 6, 7)];
/** The same messages delivered again in another order, beside new ones (objects 8 to 11). */
const again = () => [message('m3', 8, 9), message('m2', 5, 6, 7), message('m0', 0, 1, 2), message('m4', 10, 11), message('m1', 3, 4)];

const rounds = (store: FlowStore) => new SqsRounds(store, {
  queue: 'q', queueUrl: 'http://sqs.local/000000000000/q', cuts: 'shared', s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: { capacity: 50 },
});

async function perObject(store: FlowStore): Promise<Record<string, number>> {
  const rows = await store.queryRows<{ source: string; n: string }>('SELECT source, count() AS n FROM flows GROUP BY source ORDER BY source');
  return Object.fromEntries(rows.map((r) => [r.source.replace(/.*\//, ''), Number(r.n)]));
}
const once = (ids: number[]) => Object.fromEntries(ids.map((i) => [key(i).replace(/.*\//, ''), LINES]));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A store whose writes (rows, rejects, ledger) are counted; the `dieAt`th throws, after landing or instead of it. */
function dying(store: FlowStore, dieAt: number, lands: boolean): { store: FlowStore; writes: () => number } {
  let n = 0;
  const write = <A extends unknown[]>(f: (...a: A) => Promise<void>) => async (...a: A) => {
    if (++n !== dieAt) return f(...a);
    if (lands) await f(...a);
    throw new Error(`simulated crash at write ${n}`);
  };
  return {
    store: overriding(store, {
      insertPrepared: write(store.insertPrepared.bind(store)), insertRejects: write(store.insertRejects.bind(store)),
      insertJsonLines: write(store.insertJsonLines.bind(store)), recordLedger: write(store.recordLedger.bind(store)),
    }),
    writes: () => n,
  };
}

describe('SQS rounds on the embedded store', () => {
  it('stores a receive\'s objects in shared batches, writes the round ahead, and deletes every message', async () => {
    await withStore(async (inner) => {
      let inserts = 0;
      const store = overriding(inner, { insertPrepared: async (p, t) => { inserts++; return inner.insertPrepared(p, t); } });
      const done = await rounds(store).storeMessages(first());
      expect([...done].sort()).toEqual(['m0', 'm1', 'm2']);
      expect(await perObject(inner)).toEqual(once(range(8)));
      expect(inserts).toBe(Math.ceil((8 * LINES) / 50)); // per object, it would be 8
      const marks = await inner.queryRows<{ object: string; state: string; members: number }>(
        "SELECT object, state, length(JSONExtractArrayRaw(identity)) AS members FROM ingest_ledger WHERE source_kind = 'sqs' ORDER BY state");
      expect(marks).toEqual([{ object: 'sqs://000000000000/q', state: 'intent', members: 8 }, { object: 'sqs://000000000000/q', state: 'stored', members: 0 }]);
      // delivered again: the ledger has every object, nothing is stored
      expect([...await rounds(store).storeMessages(first())].sort()).toEqual(['m0', 'm1', 'm2']);
      expect(inserts).toBe(Math.ceil((8 * LINES) / 50));
    });
  });

  it('a crash at any write of a round, then a restart whose receive brings its messages back in another order with new ones: every object once', async () => {
    // count the writes of a whole round first, then die at each of them in turn, the write landing or not
    let total = 0;
    await withStore(async (store) => { const d = dying(store, 0, false); await rounds(d.store).storeMessages(first()); total = d.writes(); });
    expect(total).toBeGreaterThan(6); // intent, 4 batches of rows and ledger rows, the stored mark
    for (let dieAt = 1; dieAt <= total; dieAt++) {
      for (const lands of [false, true]) {
        await withStore(async (store) => {
          const d = dying(store, dieAt, lands);
          await expect(rounds(d.store).storeMessages(first()), `write ${dieAt}`).rejects.toThrow(/simulated crash/);
          // the restarted process: another store object, so nothing of the first survives but the ledger
          const done = await rounds(overriding(store, {})).storeMessages(again());
          expect([...done].sort(), `write ${dieAt}, landed: ${lands}`).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
          expect(await perObject(store), `write ${dieAt}, landed: ${lands}`).toEqual(once(range(OBJECTS)));
        });
      }
    }
  }, 300_000);

  it('a refused insert fails the receive; the next receive replays that round first, in the same process', async () => {
    await withStore(async (store) => {
      let refuse = 3;
      const flaky = overriding(store, { insertPrepared: async (p, t) => { if (--refuse === 0) throw new Error('the store refused the insert'); return store.insertPrepared(p, t); } });
      const sqs = rounds(flaky);
      await expect(sqs.storeMessages(first())).rejects.toThrow(/refused/);
      expect([...await sqs.storeMessages(again().slice(0, 2))].sort()).toEqual(['m2', 'm3']);
      expect([...await sqs.storeMessages(again().slice(2))].sort()).toEqual(['m0', 'm1', 'm4']);
      expect(await perObject(store)).toEqual(once(range(OBJECTS)));
      const replays = await store.queryRows<{ n: string }>("SELECT count() AS n FROM ingest_ledger WHERE source_kind = 'sqs' AND state = 'stored' AND first_position = 0");
      expect(Number(replays[0]!.n)).toBe(1);
    });
  });

  it('an object S3 does not have is left out of the round and its message kept; the others are stored', async () => {
    await withStore(async (store) => {
      const missing: SqsMessage = { id: 'gone', receipt: 'gone', receiveCount: 1, body: notes.s3(bucket, 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/never.log.gz', 'e', 10) };
      const done = await rounds(store).storeMessages([first()[0]!, missing, first()[1]!]);
      expect([...done].sort()).toEqual(['m0', 'm1']);
      expect(await perObject(store)).toEqual(once(range(5)));
      const [intent] = await store.queryRows<{ identity: string }>("SELECT identity FROM ingest_ledger WHERE source_kind = 'sqs' AND state = 'intent'");
      expect(intent!.identity).not.toContain('never.log.gz');
    });
  });
});
