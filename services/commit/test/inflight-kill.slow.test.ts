/**
 * Several inserts in flight to a server store, and the process killed: `flowlog
 * ingest` (a child process) sends up to four batches at once to the chdb-backed
 * ClickHouse endpoint and is killed with SIGKILL mid-run, several times, then
 * run to the end. Every object's flows are then stored exactly once (counted
 * against a clean ingest of the same files), and each object's ledger rows,
 * in the order they were written, cover its rows without a gap or an overlap:
 * the ledger stayed in batch order although the rows did not land in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerFleet, type ServerFleet } from '../../../test/server-fleet.js';
import { HEADER, benchLines } from '../../bench/dataset.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const OBJECTS = 4, LINES = 30_000, INFLIGHT = 4, KILLS = 3;
let ground: ServerFleet;
let config = '';

beforeAll(async () => {
  ground = await openServerFleet('flowlog-inflight-kill-');
  const data = join(ground.dir, 'data');
  mkdirSync(data);
  for (let k = 0; k < OBJECTS; k++) writeFileSync(join(data, `part-${k}.log`), `${HEADER}\n${benchLines(LINES, 100 + k).join('\n')}\n`);
  cpSync(data, join(ground.dir, 'reference'), { recursive: true });
  config = join(ground.dir, 'flowlog.yaml');
  // small batches: ~60 of them, so a kill lands with several in flight
  writeFileSync(config, ['store:', '  kind: clickhouse', `  url: ${ground.server.url}`, `  max_inflight_inserts: ${INFLIGHT}`, 'batch:', '  rows: 2000'].join('\n'));
}, 120_000);
afterAll(async () => { await ground?.close(); });

function ingest(dir: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, 'ingest', dir, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLOWLOG_CONFIG: config } });
  let buf = '';
  child.stderr!.on('data', (d) => { buf += String(d); });
  return { child, stderr: () => buf };
}
const exited = (c: ChildProcess) => new Promise<number | null>((r) => {
  if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode);
  else c.once('exit', (code) => r(code));
});

/** Per object (by file name): flows, distinct flows, and the ledger's stored rows. */
async function counts(dir: string): Promise<Record<string, { flows: number; distinct: number; ledger: number }>> {
  const rows = await ground.store.queryRows<{ object: string; flows: number; distinct: number; ledger: number }>(
    `SELECT f.source AS object, f.n AS flows, d.n AS distinct, l.rows AS ledger
       FROM (SELECT source, count() AS n FROM flows WHERE startsWith(source, {dir:String}) GROUP BY source) AS f
       LEFT JOIN (SELECT source, count() AS n FROM (SELECT DISTINCT * FROM flows WHERE startsWith(source, {dir:String})) GROUP BY source) AS d ON f.source = d.source
       LEFT JOIN (SELECT object, sum(rows) AS rows FROM ingest_ledger WHERE state = 'stored' AND startsWith(object, {dir:String}) GROUP BY object) AS l
         ON f.source = l.object`, { dir });
  return Object.fromEntries(rows.map((r) => [basename(r.object), { flows: Number(r.flows), distinct: Number(r.distinct), ledger: Number(r.ledger) }]));
}
const total = (c: Awaited<ReturnType<typeof counts>>, k: 'flows' | 'ledger') => Object.values(c).reduce((s, o) => s + o[k], 0);

describe('inserts in flight, SIGKILL, restart', () => {
  it(`with ${INFLIGHT} inserts in flight: killed ${KILLS} times mid-run, then run to the end, every object is stored exactly once and its ledger is in batch order`, { timeout: 300_000 }, async () => {
    const reference = ingest(join(ground.dir, 'reference'));
    expect(await exited(reference.child), reference.stderr()).toBe(0);
    const want = await counts(join(ground.dir, 'reference'));
    expect(Object.keys(want)).toHaveLength(OBJECTS);

    const data = join(ground.dir, 'data');
    const afterKill: { flows: number; ledger: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = total(await counts(data), 'flows');
      const run = ingest(data);
      // kill once this run's rows are landing, a random moment in
      const t = Date.now();
      while (total(await counts(data), 'flows') === before && run.child.exitCode === null && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      run.child.kill('SIGKILL');
      await exited(run.child);
      const c = await counts(data);
      afterKill.push({ flows: total(c, 'flows'), ledger: total(c, 'ledger') });
    }
    const last = ingest(data);
    expect(await exited(last.child), last.stderr()).toBe(0);

    const got = await counts(data);
    expect(got).toEqual(want);
    for (const o of Object.values(got)) expect(o.distinct).toBe(o.flows);
    const wanted = total(want, 'flows');
    // the kills landed mid-run, and at least one with rows stored ahead of the ledger (later batches in flight finished)
    expect(afterKill.some((a) => a.flows < wanted), JSON.stringify(afterKill)).toBe(true);
    expect(afterKill.some((a) => a.flows > a.ledger), JSON.stringify(afterKill)).toBe(true);

    // each object's ledger, in the order it was written: contiguous from row 0 to its last, complete at the end
    const ledger = await ground.store.queryRows<{ object: string; first: number; last: number; complete: number }>(
      `SELECT object, first_position AS first, last_position AS last, complete FROM ingest_ledger
        WHERE state = 'stored' AND startsWith(object, {dir:String}) ORDER BY object, ingested_at, first_position`, { dir: data });
    const byObject = new Map<string, { first: number; last: number; complete: number }[]>();
    for (const r of ledger) byObject.set(r.object, [...(byObject.get(r.object) ?? []), { first: Number(r.first), last: Number(r.last), complete: Number(r.complete) }]);
    expect(byObject.size).toBe(OBJECTS);
    for (const [object, rows] of byObject) {
      let at = 0;
      for (const r of rows) { expect(r.first, `${object}: ledger rows in batch order`).toBe(at); at = r.last; }
      expect(rows.at(-1)!.complete, object).toBe(1);
      expect(at, object).toBe(want[basename(object)]!.ledger);
    }
  });
});
