/**
 * A restart whose listing changed: `flowlog ingest` of a folder dies at any
 * write (landing or not), files that sort before, among and after the old ones
 * arrive, the restart may die too while it stores the batches left pending,
 * and the run after it still stores every flow once. A batch's token depends
 * on the rows it held, so each batch left pending is stored again from the
 * segments its intent names, before anything the listing holds now.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { dyingAtWrite } from '../../../test/dying-store.js';
import { overriding } from '../../../test/store-overrides.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { FlowStore } from '../../store/store.js';
import { ingestObjects, ingestPath } from '../ingest.js';
import { localSource } from '../../sources/local.js';

const CAPACITY = 1000;
/** b alone fills the first batch; the second runs from b into d, the third from d into f. a, c, e and g arrive later. */
const SIZES: Record<string, number> = { b: 1500, d: 600, f: 600, a: 300, c: 300, e: 300, g: 300 };
const TOTAL = Object.values(SIZES).reduce((x, y) => x + y, 0);
let root: string;
const all = benchLines(TOTAL, 21); // every line differs from every other: a duplicate in the store is one stored twice
const offsets = Object.fromEntries(Object.keys(SIZES).map((k, i, ks) => [k, ks.slice(0, i).reduce((x, y) => x + SIZES[y]!, 0)]));
const file = (tag: string) => writeFileSync(join(root, 'logs', `${tag}.log`), `${HEADER}\n${all.slice(offsets[tag], offsets[tag]! + SIZES[tag]!).join('\n')}\n`);

beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'flowlog-listing-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dir = () => join(root, 'logs');
function reset(): void {
  rmSync(dir(), { recursive: true, force: true });
  mkdirSync(dir(), { recursive: true });
  for (const t of ['b', 'd', 'f']) file(t);
}
const arrive = () => { for (const t of ['a', 'c', 'e', 'g']) file(t); };

async function counts(store: FlowStore) {
  const [r] = await store.queryRows<{ flows: string; distinct: string }>('SELECT count() AS flows, (SELECT count() FROM (SELECT DISTINCT * FROM flows)) AS distinct FROM flows');
  return { flows: Number(r!.flows), distinct: Number(r!.distinct) };
}

interface Case { dieAt: number; lands: boolean; inflight: number; restartDiesAt: number }

/** Dies at write `dieAt`; the files arrive; the restart dies at its write `restartDiesAt` (0: never); a last run finishes. */
async function play(c: Case): Promise<{ flows: number; distinct: number }> {
  reset();
  return withStore(async (store) => {
    const s = c.inflight > 1 ? overriding(store, { maxInflightInserts: c.inflight }) : store;
    await expect(ingestPath(dyingAtWrite(s, c.dieAt, c.lands).store, dir(), { capacity: CAPACITY })).rejects.toThrow(/simulated crash/);
    arrive();
    if (c.restartDiesAt > 0) await ingestPath(dyingAtWrite(s, c.restartDiesAt, true).store, dir(), { capacity: CAPACITY }).catch(() => undefined);
    await ingestPath(s, dir(), { capacity: CAPACITY });
    return counts(store);
  });
}

describe('a restart whose listing changed since the crash', () => {
  it('stores every flow once: any write of the first run, one insert in flight or two, and a restart that dies while it stores the batches left pending', async () => {
    reset();
    // a clean run's writes; with one insert in flight only the first batch's intent is an insert of its own
    const intentsAlone: number[] = [];
    const writes = await withStore(async (store) => {
      const counting = dyingAtWrite(overriding(store, {
        recordLedger: (e) => { if (e.every((x) => x.state === 'intent')) intentsAlone.push(e.length); return store.recordLedger(e); },
      }), 0, false);
      await ingestPath(counting.store, dir(), { capacity: CAPACITY });
      return counting.writes();
    });
    expect(intentsAlone).toEqual([1]);
    expect(writes).toBeGreaterThanOrEqual(3 * 3 + 1);
    const cases: Case[] = [];
    for (let dieAt = 1; dieAt <= writes; dieAt++) {
      for (const lands of [true, false]) cases.push({ dieAt, lands, inflight: 1, restartDiesAt: 0 });
      cases.push({ dieAt, lands: true, inflight: 2, restartDiesAt: 0 });
      // the restart's third write: a replayed batch's ledger rows and mark (or the first new batch, when nothing was pending)
      cases.push({ dieAt, lands: true, inflight: 1, restartDiesAt: 3 });
    }
    const failures: string[] = [];
    for (const c of cases) {
      const r = await play(c);
      if (r.flows !== TOTAL || r.distinct !== TOTAL) failures.push(`${JSON.stringify(c)}: ${r.flows} flows, ${r.distinct} distinct`);
    }
    expect(failures).toEqual([]);
  });

  it('says so when an object of a batch left pending changed since (its rows cannot be read as they were), and stores the rest', async () => {
    reset();
    await withStore(async (store) => {
      // the second batch (b's tail and d's head) is in flight: its rows land, its ledger rows do not
      const log: string[] = [];
      const watched = overriding(store, { insertPrepared: async (p, t) => {
        log.push('rows');
        await store.insertPrepared(p, t);
        if (log.length === 2) throw new Error('simulated crash after the rows');
      } });
      await expect(ingestPath(watched, dir(), { capacity: CAPACITY })).rejects.toThrow(/simulated crash/);
      writeFileSync(join(dir(), 'd.log'), `${HEADER}\n${all.slice(offsets.d, offsets.d! + 100).join('\n')}\n`); // d rewritten: another identity
      const s = await ingestPath(store, dir(), { capacity: CAPACITY });
      expect(s.warnings.join('\n')).toMatch(/in flight when an earlier run stopped could not be read again as they were/);
      const [r] = await store.queryRows<{ n: string }>("SELECT count() AS n FROM flows WHERE source LIKE '%/f.log'");
      expect(Number(r!.n)).toBe(SIZES.f);
    });
  });

  it('does not store a batch left pending again once its rows were stored through another listing of the same files', async () => {
    reset();
    await withStore(async (store) => {
      // the second batch's rows never land; another listing name (a source of flowlog run, say) then stores everything
      let inserts = 0;
      const failing = overriding(store, { insertPrepared: async (p, t) => { if (++inserts === 2) throw new Error('simulated crash before the rows'); return store.insertPrepared(p, t); } });
      await expect(ingestPath(failing, dir(), { capacity: CAPACITY })).rejects.toThrow(/simulated crash/);
      await ingestObjects(store, localSource(dir()), { capacity: CAPACITY, stream: 'local-ingest://another-name' });
      const again = await ingestPath(store, dir(), { capacity: CAPACITY });
      expect(again.rows).toBe(0);
      expect(await counts(store)).toEqual({ flows: SIZES.b! + SIZES.d! + SIZES.f!, distinct: SIZES.b! + SIZES.d! + SIZES.f! });
    });
  });

  it('a file that fills a batch exactly, then a reject: the next batch starts with its empty tail, and is stored again whole (two in flight)', async () => {
    const exact = join(root, 'exact');
    const failures: string[] = [];
    const setUp = () => {
      rmSync(exact, { recursive: true, force: true });
      mkdirSync(exact, { recursive: true });
      writeFileSync(join(exact, 'b.log'), `${HEADER}\n${all.slice(0, CAPACITY).join('\n')}\nnot a flow log\n`);
      writeFileSync(join(exact, 'd.log'), `${HEADER}\n${all.slice(CAPACITY, CAPACITY + 600).join('\n')}\n`);
    };
    for (let dieAt = 1; dieAt <= 8; dieAt++) {
      setUp();
      const r = await withStore(async (store) => {
        const s = overriding(store, { maxInflightInserts: 2 });
        await ingestPath(dyingAtWrite(s, dieAt, true).store, exact, { capacity: CAPACITY }).catch(() => undefined);
        writeFileSync(join(exact, 'c.log'), `${HEADER}\n${all.slice(CAPACITY + 600, CAPACITY + 900).join('\n')}\n`);
        await ingestPath(s, exact, { capacity: CAPACITY });
        const [q] = await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows_rejected');
        return { ...(await counts(store)), rejects: Number(q!.n) };
      });
      if (r.flows !== CAPACITY + 900 || r.distinct !== r.flows || r.rejects !== 1) failures.push(`write ${dieAt}: ${JSON.stringify(r)}`);
    }
    expect(failures).toEqual([]);
  });

  it('a restart with another batch.rows cannot cut the batches left pending as they were: it says so, closes them, and the next run has none', async () => {
    reset();
    await withStore(async (store) => {
      let inserts = 0;
      const dying = overriding(store, { insertPrepared: async (p, t) => { await store.insertPrepared(p, t); if (++inserts === 2) throw new Error('simulated crash'); } });
      await expect(ingestPath(dying, dir(), { capacity: CAPACITY })).rejects.toThrow(/simulated crash/);
      const s = await ingestPath(store, dir(), { capacity: 700 });
      expect(s.warnings.join('\n')).toMatch(/came out cut differently this time \(batch\.rows or limits changed since\?\)/);
      file('a');
      const next = await ingestPath(store, dir(), { capacity: 700 });
      expect(next.warnings).toEqual([]);
      expect(next.rows).toBe(SIZES.a);
    });
  });
});
