/**
 * Notified S3 objects in Kafka rounds: the ledger is asked about the round's
 * own names, once, when the round begins, never about every notified object
 * ever stored (a source that runs for months would hold them all in memory).
 * Objects outside the allowlist are quarantined NOT_ALLOWED, never fetched.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { S3Allowlist } from '../../sources/s3/allowlist.js';
import type { RoundControl, SourceMessage } from '../../sources/source.js';
import { MessageRounds } from '../message-rounds.js';
import { benchLines, HEADER } from '../../bench/dataset.js';

const ctl: RoundControl = { isRunning: () => true };
const event = (bucket: string, ...keys: string[]) => Buffer.from(JSON.stringify({
  Records: keys.map((key) => ({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: 10, eTag: 'e' } } })),
}));

describe('notified objects in rounds', () => {
  it('the ledger is read for the round\'s names only', async () => {
    await withStore(async (raw) => {
      const lookups: [string, readonly string[] | undefined][] = [];
      const store = overriding(raw, { ledgerState: (kind, objects) => { lookups.push([kind, objects]); return raw.ledgerState(kind, objects); } });
      // a history of other notified objects: none of it is read
      await raw.recordLedger([{ sourceKind: 's3', object: 's3://logs/old.log.gz', identity: 'e:10', batchId: 'old', firstPosition: 0, lastPosition: 1, rows: 1, rejected: 0, complete: true }]);
      // no client call can happen: the allowlist refuses every object, before any request
      const rounds = new MessageRounds(store, { capacity: 1000, s3: { client: {} as S3Client, allow: new S3Allowlist([{ bucket: 'elsewhere' }]) } });
      await rounds.load();
      const msgs: SourceMessage[] = [{ offset: 0, value: event('logs', 'a.log.gz', 'b.log.gz') }, { offset: 1, value: event('logs', 'a.log.gz') }, { offset: 2, value: Buffer.from('not json') }];
      expect(await rounds.storeRound('notes/0', msgs, ctl, 0)).toEqual({ through: 3, stored: true });
      expect(lookups).toEqual([['kafka', undefined], ['s3', ['s3://logs/a.log.gz', 's3://logs/b.log.gz']]]);
      const reasons = await raw.queryRows<{ reason: string; n: string }>('SELECT reason, count() AS n FROM flows_rejected GROUP BY reason ORDER BY reason');
      expect(reasons.map((r) => [r.reason, Number(r.n)])).toEqual([['FIELD_COUNT', 1], ['NOT_ALLOWED', 3]]);
    });
  });

  it('finds the names in gzip messages too, where the head decides and where it cannot (a 100 KB header field)', async () => {
    await withStore(async (raw) => {
      const lookups: (readonly string[] | undefined)[] = [];
      const store = overriding(raw, { ledgerState: (kind, objects) => { if (kind === 's3') lookups.push(objects); return raw.ledgerState(kind, objects); } });
      const rounds = new MessageRounds(store, { capacity: 1000, s3: { client: {} as S3Client, allow: new S3Allowlist([{ bucket: 'elsewhere' }]) } });
      await rounds.load();
      // a gzip member whose FNAME header field outlasts the head's 64 KB of input: decided by the whole decode
      const named = (data: Buffer) => { const z = gzipSync(data); return Buffer.concat([z.subarray(0, 3), Buffer.from([z[3]! | 0x08]), z.subarray(4, 10), Buffer.from(`${'n'.repeat(100_000)}\0`), z.subarray(10)]); };
      const lines = gzipSync(`${HEADER}\n${benchLines(200, 1).join('\n')}\n`);
      const msgs: SourceMessage[] = [
        { offset: 0, value: gzipSync(event('logs', 'a.log.gz')) }, { offset: 1, value: lines },
        { offset: 2, value: named(event('logs', 'c.log.gz')) }, { offset: 3, value: named(Buffer.from(`${HEADER}\n${benchLines(5, 2).join('\n')}\n`)) },
      ];
      expect(await rounds.storeRound('notes/0', msgs, ctl, 0)).toEqual({ through: 4, stored: true });
      expect(lookups).toEqual([['s3://logs/a.log.gz', 's3://logs/c.log.gz']]);
      expect(Number((await raw.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n)).toBe(205);
    });
  });
});
