/**
 * A poll round its lease's end cuts short (pipeline/object-rounds.ts): the
 * objects it did not reach are neither stored nor unfinished, so the cursor
 * must not move past them (a later round lists only from the cursor less the
 * lookback, and would never see them again).
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { readCursor } from '../../commit/cursor.js';
import type { S3Object } from '../../sources/s3/s3-source.js';
import type { SourceObjectRef } from '../../sources/source.js';
import { ObjectRounds } from '../object-rounds.js';

const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
const DAYS = ['2026/03/01', '2026/03/02', '2026/03/05'];
const lines = benchLines(30, 7).filter((l) => !l.endsWith('NODATA')).slice(0, 3 * 5);
const objects: S3Object[] = DAYS.map((d, i) => ({ bucket: 'b', key: `${PREFIX}${d}/o${i}.log`, etag: 'e', name: `s3://b/${PREFIX}${d}/o${i}.log`, identity: 'e', size: 1 }));
const body = (o: SourceObjectRef) => { const i = objects.findIndex((x) => x.name === o.name); return Buffer.from(`${HEADER}\n${lines.slice(i * 5, (i + 1) * 5).join('\n')}\n`); };

describe('a poll round cut short by its lease', () => {
  it('leaves the cursor where it was; the next full round stores the rest and moves it', async () => {
    await withStore(async (store) => {
      let reach = 1; // objects the lease lets this round try
      const rounds = new ObjectRounds(store, {
        name: 'poll', kind: 's3', ingest: { capacity: 100 },
        open: () => ({ source: { kind: 's3', list: async function* () { yield objects; }, fetch: async (o) => body(o) } }),
        cursor: { key: 'poll', prefix: PREFIX, lookbackMs: 86_400_000 },
        lease: { termMs: 1000, refresh: async () => true, held: () => reach-- > 0 },
      });
      const cut = await rounds.round();
      expect([cut.rows, cut.stoppedEarly]).toEqual([5, true]);
      expect(await readCursor(store, 'poll')).toBeNull();
      reach = Infinity;
      const full = await rounds.round();
      expect([full.rows, full.skipped, full.stoppedEarly]).toEqual([10, 1, undefined]);
      expect(await readCursor(store, 'poll')).toEqual(new Date('2026-03-05T00:00:00Z'));
    });
  });
});
