/**
 * An S3 poll on the embedded store stores its listing in shared rounds
 * (pipeline/shared-rounds.ts), against real MinIO: small objects share
 * batches, each round written ahead; a round cut short at any write (a crash,
 * a refused insert) is replayed exactly by the next round, whose listing has
 * new objects sorted among the old. Batches are 50 rows and objects 20: every
 * batch holds several objects and objects straddle batches, so a replay cut
 * differently would store rows twice.
 */
import { CopyObjectCommand, CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../schemas/config.js';
import { overriding } from '../../../test/store-overrides.js';
import { dyingAtWrite } from '../../../test/dying-store.js';
import { testBucket } from '../../../test/s3.js';
import { withStore } from '../../../test/temp-store.js';
import { benchLines, HEADER } from '../../bench/dataset.js';
import type { ObjectRounds, ObjectRoundsOptions } from '../../pipeline/object-rounds.js';
import { makeS3Client, s3SettingsFromEnv } from '../../sources/s3/client.js';
import type { FlowStore } from '../../store/store.js';
import { telemetryEvents } from '../../telemetry/events.js';
import { standardMetrics } from '../../telemetry/metrics.js';
import { objectSource } from '../sources.js';

const bucket = testBucket('flowlog-poll-rounds');
const LINES = 20;
/** Objects 0-11 at first; 'a' objects appear later and sort among them (o03a after o03). */
const key = (id: string) => `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/06/01/o${id}.log.gz`;
const first = Array.from({ length: 12 }, (_, i) => String(i).padStart(2, '0'));
const later = ['03a', '07a', '11a'];
let s3: S3Client;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT must be set: the global setup starts MinIO (infra/s3/s3.sh)');
  s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  process.env.FLOWLOG_TEST_S3_KEY = process.env.S3_ACCESS_KEY;
  process.env.FLOWLOG_TEST_S3_SECRET = process.env.S3_SECRET_KEY;
  const lines = benchLines((first.length + later.length) * LINES * 2, 43).filter((l) => !l.endsWith('NODATA'));
  const all = [...first, ...later];
  for (let i = 0; i < all.length; i++) {
    // the later objects go to a prefix of their own first, copied in when a test wants them listed
    const body = gzipSync(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}\n`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${first.includes(all[i]!) ? 'first' : 'later'}/${key(all[i]!)}`, Body: body }));
  }
}, 120_000);
afterAll(() => { s3?.destroy(); });

/** The poll of `prefix`, as `flowlog run` builds it (on the embedded store, one process: no lease), one round at a time. */
async function poll(store: FlowStore, prefix: string): Promise<ObjectRounds> {
  const cfg = configSchema.parse({ sources: [{
    kind: 's3', name: 'poll', mode: 'poll', uri: `s3://${bucket}/${prefix}/AWSLogs/`, endpoint: process.env.S3_ENDPOINT,
    access_key: { env: 'FLOWLOG_TEST_S3_KEY' }, secret_key: { env: 'FLOWLOG_TEST_S3_SECRET' },
  }] });
  const src = objectSource(cfg.sources[0] as Parameters<typeof objectSource>[0], 'sources[0]',
    { store, events: telemetryEvents(standardMetrics()), enrich: { apply: () => undefined }, batchRows: 50 }) as ObjectRounds;
  expect((src as unknown as { opts: ObjectRoundsOptions }).opts.lease).toBeUndefined();
  return src;
}

/** Copies objects `ids` under prefix `name` (same bytes, so the same ETags): the first ones, or the later ones among them. */
async function prefixWith(name: string, ids: readonly string[]): Promise<string> {
  for (const id of ids) {
    await s3.send(new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/${first.includes(id) ? 'first' : 'later'}/${key(id)}`, Key: `${name}/${key(id)}` }));
  }
  return name;
}

async function perObject(store: FlowStore): Promise<Record<string, number>> {
  const rows = await store.queryRows<{ source: string; n: string }>('SELECT source, count() AS n FROM flows GROUP BY source ORDER BY source');
  return Object.fromEntries(rows.map((r) => [r.source.replace(/.*\/o/, ''), Number(r.n)]));
}
const once = (ids: string[]) => Object.fromEntries([...ids].sort().map((id) => [`${id}.log.gz`, LINES]));

describe('S3 poll on the embedded store: shared rounds', () => {
  it('stores a listing\'s small objects in shared batches, writes the round ahead, and stores nothing again next round', async () => {
    const prefix = await prefixWith('p1', first);
    await withStore(async (inner) => {
      let inserts = 0;
      const store = overriding(inner, { insertPrepared: async (p, t) => { inserts++; return inner.insertPrepared(p, t); } });
      const s = await (await poll(store, prefix)).round();
      expect(s.objects).toBe(first.length);
      expect(await perObject(inner)).toEqual(once(first));
      expect(inserts).toBe(Math.ceil((first.length * LINES) / 50)); // per object, it would be 12
      const marks = await inner.queryRows<{ object: string; state: string; members: number }>(
        "SELECT object, state, length(JSONExtractArrayRaw(identity)) AS members FROM ingest_ledger WHERE object LIKE 's3-poll://%' ORDER BY state");
      expect(marks).toEqual([
        { object: `s3-poll://${bucket}/${prefix}/AWSLogs/#${process.env.S3_ENDPOINT}`, state: 'intent', members: first.length },
        { object: `s3-poll://${bucket}/${prefix}/AWSLogs/#${process.env.S3_ENDPOINT}`, state: 'stored', members: 0 },
      ]);
      const again = await (await poll(store, prefix)).round();
      expect([again.objects, again.skipped, inserts]).toEqual([0, first.length, Math.ceil((first.length * LINES) / 50)]);
    });
  });

  it('a crash at any write of a round, then a restart whose listing has new objects among the old: every object once', async () => {
    // count the writes of a whole round first, then die at each of them in turn, the write landing or not
    const counted = await prefixWith('p2', first);
    let total = 0;
    await withStore(async (store) => { const d = dyingAtWrite(store, 0, false); await (await poll(d.store, counted)).round(); total = d.writes(); });
    expect(total).toBeGreaterThan(6); // intent, 5 batches of rows and ledger rows, the stored mark
    for (let dieAt = 1; dieAt <= total; dieAt++) {
      for (const lands of [false, true]) {
        const prefix = await prefixWith(`p2-${dieAt}-${lands}`, first);
        await withStore(async (store) => {
          const d = dyingAtWrite(store, dieAt, lands);
          await expect((await poll(d.store, prefix)).round(), `write ${dieAt}`).rejects.toThrow(/simulated crash/);
          await prefixWith(prefix, later); // new objects appear, sorted among the old
          // the restarted process: another store object, so nothing of the first survives but the ledger
          const s = await (await poll(overriding(store, {}), prefix)).round();
          expect(s.unfinished, `write ${dieAt}, landed: ${lands}`).toEqual([]);
          expect(await perObject(store), `write ${dieAt}, landed: ${lands}`).toEqual(once([...first, ...later]));
        });
      }
    }
  }, 300_000);

  it('a listing of several pages: the next page waits in its turn while one is stored; a crash in the first leaves the second to replay it first', async () => {
    // 1,050 objects of 2 lines: two pages of the listing (S3 returns 1000 keys a page)
    const many = Array.from({ length: 1050 }, (_, i) => `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/06/02/m${String(i).padStart(4, '0')}.log.gz`);
    const lines = benchLines(4000, 47).filter((l) => !l.endsWith('NODATA'));
    const put = async (prefix: string) => {
      for (let i = 0; i < many.length; i += 50) {
        await Promise.all(many.slice(i, i + 50).map((k, j) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${k}`,
          Body: gzipSync(`${HEADER}\n${lines.slice(((i + j) * 2) % 3000, ((i + j) * 2) % 3000 + 2).join('\n')}\n`) }))));
      }
    };
    const counts = async (store: FlowStore) => {
      const [c] = await store.queryRows<{ objects: string; rows: string; bad: string }>(
        'SELECT uniqExact(source) AS objects, count() AS rows, (SELECT count() FROM (SELECT source FROM flows GROUP BY source HAVING count() != 2)) AS bad FROM flows');
      return { objects: Number(c!.objects), rows: Number(c!.rows), bad: Number(c!.bad) };
    };
    await put('p3');
    await withStore(async (store) => {
      // the second batch of the first page's round lands, then its ledger write fails: the round fails, the next page's waits in its turn
      const d = dyingAtWrite(store, 8, true);
      await expect((await poll(d.store, 'p3')).round()).rejects.toThrow(/simulated crash/);
      const rounds = async () => Number((await store.queryRows<{ n: string }>("SELECT count() AS n FROM ingest_ledger WHERE object LIKE 's3-poll://%' AND state = 'stored'"))[0]!.n);
      expect(await rounds()).toBeGreaterThanOrEqual(2); // the failed round replayed in the next page's turn, and that page stored
      const s = await (await poll(overriding(store, {}), 'p3')).round();
      expect(s.unfinished).toEqual([]);
      expect(await counts(store)).toEqual({ objects: 1050, rows: 2100, bad: 0 });
    });
  }, 180_000);
});
