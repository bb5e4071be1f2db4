import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { makeAddresses, makePrefixes, rng } from '../../../bench/lookup-data.js';
import { compilePrefixTable, PrefixTable, type PrefixTableTransfer } from '../prefix-table.js';

const prefixes = makePrefixes(rng(7), 5000);
const r = rng(8);
const N = 50_000;
const addrs = new Uint8Array(N * 32);
addrs.set(makeAddresses(r, prefixes, true, N), 0);
addrs.set(makeAddresses(r, prefixes, false, N), N * 16);
const nulls = new Uint8Array(2 * N);

function answers(t: PrefixTable): Int32Array {
  const out = new Int32Array(2 * N);
  t.lookupColumn(addrs, nulls, 2 * N, out);
  return out;
}

describe('prefix table transfer', () => {
  const expected = answers(compilePrefixTable(prefixes));

  it('survives structuredClone with the buffers transferred', () => {
    const t = compilePrefixTable(prefixes);
    const size = t.size;
    const parents = [...t.parents];
    const msg = t.toTransferable();
    const moved = structuredClone(msg, { transfer: msg.buffers });
    expect(msg.buffers.every((b) => b.byteLength === 0)).toBe(true);
    const back = PrefixTable.fromTransferable(moved);
    expect(back.size).toEqual(size);
    expect([...back.parents]).toEqual(parents);
    expect(answers(back)).toEqual(expected);
  });

  it('is built in a worker_thread and posted back with zero copy', async () => {
    const worker = new Worker(new URL('./compile-worker.js', import.meta.url), { workerData: prefixes });
    const msgs: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => { msgs.push(m); if (msgs.length === 2) resolve(); });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`worker exited ${code} after ${msgs.length} messages`)));
    });
    await worker.terminate();
    expect(msgs[1]).toEqual({ leftBehind: 0 });
    expect(answers(PrefixTable.fromTransferable(msgs[0] as PrefixTableTransfer))).toEqual(expected);
  });

  it('refuses an unknown layout', () => {
    expect(() => PrefixTable.fromTransferable({ buffers: [], meta: { layout: 'x' } } as unknown as PrefixTableTransfer)).toThrow(/layout/);
  });
});
