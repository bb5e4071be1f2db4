/**
 * The embedded store encodes a batch into the previous block's buffer once
 * that block is in its spool file, never into one still waiting to be stored,
 * and what it stores is the same either way.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { FlowBatch } from '../../core/flow-batch.js';
import { RejectBatch } from '../../core/rejects.js';
import { openObjectParser } from '../../parse/object-parser.js';

const GOLDEN = fileURLToPath(new URL('../../parse/aws/test/golden/', import.meta.url));

function batch(): FlowBatch {
  // blocks past Node's 4 KB buffer pool: a pooled slice is never kept
  const b = new FlowBatch(4096);
  while (b.length < 200) openObjectParser('v2-header.log', readFileSync(GOLDEN + 'v2-header.log')).fill(b, new RejectBatch());
  return b;
}

describe('embedded store: one block buffer reused', () => {
  it('reuses a stored block\'s buffer, not one still pending, and stores the same rows', async () => {
    await withStore(async (store) => {
      const b = batch();
      expect(store.prepareFlows(b).data.length).toBeGreaterThan(8192);
      const first = store.prepareFlows(b), pending = store.prepareFlows(b);
      expect(pending.data.buffer).not.toBe(first.data.buffer);
      await store.insertPrepared(first, 't1');
      const third = store.prepareFlows(b);
      expect(third.data.buffer).toBe(first.data.buffer);
      expect(Buffer.compare(third.data, pending.data)).toBe(0);
      await store.insertPrepared(pending, 't2');
      await store.insertPrepared(third, 't3');
      const [n] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows');
      expect(Number(n!.c)).toBe(3 * b.length);
      // the same block three times: each distinct row's count a multiple of 3
      const [odd] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM (SELECT count() AS k FROM flows GROUP BY ALL HAVING k % 3 != 0)');
      expect(Number(odd!.c)).toBe(0);
    });
  });

  it('never keeps a small block from Node\'s shared buffer pool, and a reject-only batch takes no buffer', async () => {
    await withStore(async (store) => {
      const one = new FlowBatch(4);
      openObjectParser('v2-header.log', readFileSync(GOLDEN + 'v2-header.log')).fill(one, new RejectBatch());
      one.length = 1;
      for (let i = 0; i < 8; i++) {
        const small = store.prepareFlows(one);
        expect(small.data.length).toBeLessThan(4096);
        await store.insertPrepared(small, `small-${i}`);
        // bytes Node pools after it must not be what the next block is encoded into
        const pooled = Buffer.from('x'.repeat(64));
        const next = store.prepareFlows(one);
        expect(next.data.buffer).not.toBe(pooled.buffer);
        await store.insertPrepared(next, `next-${i}`);
        expect(pooled.toString()).toBe('x'.repeat(64));
      }
      const empty = store.prepareFlows(new FlowBatch(4));
      expect(empty.rows).toBe(0);
      expect(empty.data.length).toBe(0);
      const [n] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows');
      expect(Number(n!.c)).toBe(16);
    });
  });
});
