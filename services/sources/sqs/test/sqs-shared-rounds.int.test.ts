/**
 * SQS rounds on the embedded store (cuts: 'shared', pipeline/shared-rounds.ts)
 * against real MinIO: a round's objects share batches, and a round cut short
 * at any write (a crash, a refused insert) is replayed exactly before the next
 * one, even when the messages come back in another order beside new ones.
 * Batches are 50 rows and objects 20: every batch holds several objects and
 * objects straddle batches, so a replay cut differently would store rows twice.
 */
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overriding } from '../../../../test/store-overrides.js';
import { dyingAtWrite } from '../../../../test/dying-store.js';
import { testBucket } from '../../../../test/s3.js';
import { withStore } from '../../../../test/temp-store.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { pendingRounds } from '../../../commit/ledger-reads.js';
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

const rounds = (store: FlowStore, queue = 'q') => new SqsRounds(store, {
  queue, queueUrl: `http://sqs.local/000000000000/${queue}`, cuts: 'shared', s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: { capacity: 50 },
});
const pending = async (store: FlowStore) => Number((await store.queryRows<{ n: string }>(
  "SELECT count() AS n FROM (SELECT batch_id FROM ingest_ledger WHERE source_kind = 'sqs' GROUP BY batch_id HAVING countIf(state = 'stored') = 0)"))[0]!.n);

async function perObject(store: FlowStore): Promise<Record<string, number>> {
  const rows = await store.queryRows<{ source: string; n: string }>('SELECT source, count() AS n FROM flows GROUP BY source ORDER BY source');
  return Object.fromEntries(rows.map((r) => [r.source.replace(/.*\//, ''), Number(r.n)]));
}
const once = (ids: number[]) => Object.fromEntries(ids.map((i) => [key(i).replace(/.*\//, ''), LINES]));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

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
      expect(marks).toEqual([{ object: 'sqs://sqs.local/000000000000/q', state: 'intent', members: 8 }, { object: 'sqs://sqs.local/000000000000/q', state: 'stored', members: 0 }]);
      // delivered again: the ledger has every object, nothing is stored
      expect([...await rounds(store).storeMessages(first())].sort()).toEqual(['m0', 'm1', 'm2']);
      expect(inserts).toBe(Math.ceil((8 * LINES) / 50));
    });
  });

  it('a crash at any write of a round, then a restart whose receive brings its messages back in another order with new ones: every object once', async () => {
    // count the writes of a whole round first, then die at each of them in turn, the write landing or not
    let total = 0;
    await withStore(async (store) => { const d = dyingAtWrite(store, 0, false); await rounds(d.store).storeMessages(first()); total = d.writes(); });
    expect(total).toBeGreaterThan(6); // intent, 4 batches of rows and ledger rows, the stored mark
    for (let dieAt = 1; dieAt <= total; dieAt++) {
      for (const lands of [false, true]) {
        await withStore(async (store) => {
          const d = dyingAtWrite(store, dieAt, lands);
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

  it('a restart replays a pending round before any receive, and one round stored in part resumes from the ledger', async () => {
    await withStore(async (store) => {
      // writes: intent, then per batch rows, rejects, ledger rows: the second batch's rows land, the process dies before its ledger rows
      const d = dyingAtWrite(store, 5, true);
      await expect(rounds(d.store).storeMessages(first())).rejects.toThrow(/simulated crash/);
      expect(await pending(store)).toBe(1);
      await rounds(overriding(store, {})).recover(); // the source calls it before its first receive
      expect(await pending(store)).toBe(0);
      expect(await perObject(store)).toEqual(once(range(8)));
    });
  });

  it('another queue\'s round waits for a failed round of this one to be replayed, even when it names the same objects', async () => {
    await withStore(async (store) => {
      // the second batch's rows land, then its ledger write fails: those rows are in the store, the ledger does not say so
      const flaky = dyingAtWrite(store, 5, true).store;
      const one = rounds(flaky, 'one'), two = rounds(flaky, 'two');
      await expect(one.storeMessages(first())).rejects.toThrow(/simulated crash/);
      // the same objects, notified to another queue too (shared rounds there would cut them otherwise)
      expect([...await two.storeMessages(again())].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(await perObject(store)).toEqual(once(range(OBJECTS)));
      expect(await pending(store)).toBe(0);
    });
  });

  it('a pending round that cannot be replayed yet (its S3 down) holds back its own objects only; once replayed, every object once; the ledger names it pending till then', async () => {
    await withStore(async (store) => {
      const d = dyingAtWrite(store, 5, true);
      await expect(rounds(d.store, 'one').storeMessages(first())).rejects.toThrow(/simulated crash/);
      expect(await pendingRounds(store)).toEqual(['sqs://sqs.local/000000000000/one']);
      // the restart: queue one's S3 endpoint does not answer, queue two's does
      const restarted = overriding(store, {});
      const down = makeS3Client({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true, accessKeyId: 'a', secretAccessKey: 'b' });
      const one = new SqsRounds(restarted, { queue: 'one', queueUrl: 'http://sqs.local/000000000000/one', cuts: 'shared',
        s3: { client: down, allow: new S3Allowlist([{ bucket }]) }, ingest: { capacity: 50 } });
      try {
        const two = rounds(restarted, 'two');
        // m0 names objects of the pending round: kept; m3 and m4 do not: stored
        expect([...await two.storeMessages([message('m0', 0, 1, 2), message('m3', 8, 9), message('m4', 10, 11)])].sort()).toEqual(['m3', 'm4']);
        expect(await perObject(store)).toMatchObject(once([8, 9, 10, 11]));
        await expect(one.storeMessages([message('m5', 0)])).rejects.toThrow(/pending round of sqs:\/\/sqs.local\/000000000000\/one could not be stored again/);
      } finally { down.destroy(); }
      // S3 answers again (another restart): the pending round is replayed first, then the kept message finds its objects stored
      const later = overriding(store, {});
      rounds(later, 'one'); // built, as flowlog run builds every source first: its stream is known, and recovered in the next turn
      expect([...await rounds(later, 'two').storeMessages(again())].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(await perObject(store)).toEqual(once(range(OBJECTS)));
      expect(await pendingRounds(store)).toEqual([]);
    });
  });

  it('a pending round whose object S3 no longer has (404) is replayed without it, and the queue goes on', async () => {
    const doomed = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/doomed.log.gz';
    const body = gzipSync(`${HEADER}\n${benchLines(30, 77).filter((l) => !l.endsWith('NODATA')).slice(0, LINES).join('\n')}\n`);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: doomed, Body: body }));
    const note: SqsMessage = { id: 'doomed', receipt: 'doomed', receiveCount: 1, body: notes.s3(bucket, doomed, (put.ETag ?? '').replace(/"/g, ''), body.length) };
    await withStore(async (store) => {
      const d = dyingAtWrite(store, 3, true);
      await expect(rounds(d.store).storeMessages([...first(), note])).rejects.toThrow(/simulated crash/);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: doomed })); // a lifecycle rule, say
      const done = await rounds(overriding(store, {})).storeMessages(again());
      expect([...done].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      const stored = await perObject(store);
      delete stored['doomed.log.gz'];
      expect(stored).toEqual(once(range(OBJECTS)));
      expect(await pending(store)).toBe(0);
    });
  });

  it('an hourly Azure blob notified again after it grew is resumed after its stored records, not stored again from its start', async () => {
    const golden = JSON.parse(readFileSync(new URL('../../../parse/azure/test/golden/nsg-v2.json', import.meta.url), 'utf8')) as { records: unknown[] };
    const blob = 'resourceId=/SUBSCRIPTIONS/X/y=2026/m=12/d=01/h=10/m=00/macAddress=000D3AF87856/PT1H.json';
    const version = async (records: unknown[]): Promise<SqsMessage> => {
      const text = JSON.stringify({ records });
      const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: blob, Body: text }));
      return { id: `v${records.length}`, receipt: 'r', receiveCount: 1, body: notes.s3(bucket, blob, (r.ETag ?? '').replace(/"/g, ''), Buffer.byteLength(text)) };
    };
    const azure = (store: FlowStore) => new SqsRounds(store, { queue: 'az', cuts: 'shared', s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: {} });
    const rows = async (store: FlowStore) => Number((await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n);
    const all = await withStore(async (fresh) => { await azure(fresh).storeMessages([await version(golden.records)]); return rows(fresh); });
    await withStore(async (store) => {
      await azure(store).storeMessages([await version(golden.records.slice(0, 1))]);
      const firstMinute = await rows(store);
      expect(firstMinute).toBeGreaterThan(0);
      expect(firstMinute).toBeLessThan(all);
      await azure(store).storeMessages([await version(golden.records)]);
      expect(await rows(store)).toBe(all); // the first minute's records were not stored a second time
    });
  });

  it('a notification of an hourly Azure blob\'s version replaced since (412) is deleted, nothing quarantined or recorded for it, on either store', async () => {
    const golden = JSON.parse(readFileSync(new URL('../../../parse/azure/test/golden/nsg-v2.json', import.meta.url), 'utf8')) as { records: unknown[] };
    const blob = 'resourceId=/SUBSCRIPTIONS/Y/y=2026/m=12/d=01/h=11/m=00/macAddress=000D3AF87857/PT1H.json';
    const put = async (records: unknown[], id: string): Promise<SqsMessage> => {
      const text = JSON.stringify({ records });
      const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: blob, Body: text }));
      return { id, receipt: id, receiveCount: 1, body: notes.s3(bucket, blob, (r.ETag ?? '').replace(/"/g, ''), Buffer.byteLength(text)) };
    };
    for (const cuts of ['shared', 'per-object'] as const) {
      const stale = await put(golden.records.slice(0, 1), 'stale');
      const fresh = await put(golden.records, 'fresh'); // appended: the first notification's version is gone
      await withStore(async (store) => {
        const sqs = new SqsRounds(store, { queue: 'az2', cuts, s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: {} });
        expect([...await sqs.storeMessages([stale])], cuts).toEqual(['stale']);
        const count = async (sql: string) => Number((await store.queryRows<{ n: string }>(sql))[0]!.n);
        expect(await count('SELECT count() AS n FROM flows_rejected'), cuts).toBe(0);
        expect(await count("SELECT count() AS n FROM ingest_ledger WHERE source_kind = 's3'"), cuts).toBe(0);
        expect([...await sqs.storeMessages([fresh])], cuts).toEqual(['fresh']);
        expect(await count('SELECT count() AS n FROM flows'), cuts).toBeGreaterThan(0);
      });
    }
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
