/**
 * `npm run bench -- --scale [--scale-flows 10000000,100000000]` (not in CI):
 * how cost grows with data. The generator's realistic mix goes into one
 * store a day at a time (the first step's size per day, so a larger store is
 * more days of the same estate, as in production), and after each step:
 * ingest rate, bytes per flow on disk (system.parts), and the p50 of 5 runs
 * of `investigate` for one address over 1 h and 24 h, of every saved query,
 * and of the detectors' hourly (egress) and frequent runs.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FREQUENT, HOURLY, runDetectors } from '../detect/run-detectors.js';
import type { DetectorName } from '../detect/finding.js';
import { generate } from '../generate/index.js';
import { investigate } from '../investigate/investigate.js';
import { loadSavedQueries, type SavedQuery } from '../investigate/saved-queries.js';
import { openStore } from '../store/open.js';
import type { FlowStore } from '../store/store.js';
import { chTime, fromChTime } from '../store/ch-time.js';
import { flowlogIngest, freshStore } from './engine-compare.js';
import { p50 } from './stats.js';

export const DEFAULT_SCALE_STEPS = [10_000_000, 100_000_000];
const DAY = 86_400;
/** Where the generated days start: a fixed date, so runs compare. */
const EPOCH = Date.UTC(2024, 10, 1) / 1000;
const RUNS = 5;

/** "1000000,3000000" -> [1000000, 3000000]: positive and rising. */
export function parseScaleSteps(raw: string | undefined): number[] {
  if (raw === undefined) return DEFAULT_SCALE_STEPS;
  const steps = raw.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((n, i) => !Number.isSafeInteger(n) || n <= 0 || (i > 0 && n <= steps[i - 1]!))) {
    throw new RangeError(`--scale-flows wants rising positive integers separated by commas, got "${raw}"`);
  }
  return steps;
}

export interface Chunk { day: number; flows: number }

/** Each step's new flows as whole days of `perDay` flows (the last day of a step may be short), days numbered on from the last. */
export function chunkPlan(steps: readonly number[], perDay: number): Chunk[][] {
  let day = 0, prev = 0;
  return steps.map((total) => {
    const chunks: Chunk[] = [];
    for (let left = total - prev; left > 0; left -= perDay) chunks.push({ day: day++, flows: Math.min(perDay, left) });
    prev = total;
    return chunks;
  });
}

/** A saved query's default with `now()` meaning the end of the stored data, not the wall clock. */
export const anchorDefault = (expr: string, end: Date): string =>
  expr.replace(/\bnow\(\)/g, `toDateTime64('${chTime(end)}', 3, 'UTC')`);

/** Values for the parameters saved queries require (no default): a real address, a common port, two segments. */
const requiredValue = (name: string, addr: string): string | null =>
  ({ addr, port: '443', from_segment: 'app', to_segment: 'data' } as Record<string, string>)[name] ?? null;

export interface ScaleStep {
  flows: number;
  ingest: { flows: number; seconds: number; flows_per_sec: number; peak_rss_mb: number | null };
  bytes_per_flow: { flows_table: number; all_tables: number };
  /** When the queries were timed: active parts of flows, and merges still running (they take the same cores). */
  store: { flows_parts: number; merges_running: number };
  address: string;
  p50_ms: Record<string, number>;
}

async function timedP50(f: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return Math.round(p50(ms));
}

async function savedParams(store: FlowStore, q: SavedQuery, addr: string, end: Date): Promise<Record<string, string> | null> {
  const out: Record<string, string> = {};
  const defaults = q.params.filter((p) => p.default !== null);
  for (const p of q.params) {
    if (p.default !== null) continue;
    const v = requiredValue(p.name, addr);
    if (v === null) return null;
    out[p.name] = v;
  }
  if (defaults.length) {
    const sql = `SELECT ${defaults.map((p, i) => `toString(CAST((${anchorDefault(p.default!, end)}) AS ${p.type})) AS p${i}`).join(', ')}`;
    const row = (await store.queryRows<Record<string, string>>(sql))[0]!;
    defaults.forEach((p, i) => { out[p.name] = String(row[`p${i}`]); });
  }
  return out;
}

async function measureQueries(store: FlowStore, log: (s: string) => void): Promise<Omit<ScaleStep, 'flows' | 'ingest'>> {
  const parts = await store.queryRows<{ table: string; bytes: string; rows: string; parts: string }>(
    "SELECT table, toString(sum(bytes_on_disk)) AS bytes, toString(sum(rows)) AS rows, toString(count()) AS parts FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table");
  const [merges] = await store.queryRows<{ n: string }>('SELECT toString(count()) AS n FROM system.merges WHERE database = currentDatabase()');
  const flowsPart = parts.find((p) => p.table === 'flows');
  const flowRows = Number(flowsPart?.rows ?? 0);
  const bytesPerFlow = {
    flows_table: +(Number(flowsPart?.bytes ?? 0) / flowRows).toFixed(1),
    all_tables: +(parts.reduce((s, p) => s + Number(p.bytes), 0) / flowRows).toFixed(1),
  };
  const [last] = await store.queryRows<{ end: string }>('SELECT toString(max(start_time)) AS end FROM flows');
  const until = fromChTime(last!.end);
  const hourAgo = new Date(until.getTime() - 3_600_000), dayAgo = new Date(until.getTime() - 86_400_000);
  // the busiest source of the last hour: the worst case for one address
  const [busiest] = await store.queryRows<{ addr: string }>(
    "SELECT replaceOne(toString(src_addr), '::ffff:', '') AS addr FROM flows WHERE start_time >= {since:DateTime64(3, 'UTC')} AND src_addr IS NOT NULL " +
    'GROUP BY src_addr ORDER BY count() DESC LIMIT 1', { since: chTime(hourAgo) });
  const address = busiest!.addr;
  const p: Record<string, number> = {};
  p['investigate 1h'] = await timedP50(() => investigate(store, address, { since: hourAgo, until }));
  p['investigate 24h'] = await timedP50(() => investigate(store, address, { since: dayAgo, until }));
  for (const q of loadSavedQueries()) {
    const params = await savedParams(store, q, address, until);
    if (!params) { log(`  saved query ${q.name}: a required parameter the bench has no value for; left out`); continue; }
    p[`sql ${q.name}`] = await timedP50(() => store.queryText(q.sql, 'json', params));
  }
  // the runner's two schedules: egress a few minutes past each hour, the rest every few minutes
  const only = (names: DetectorName[]) => ({ disabled: [...HOURLY, ...FREQUENT].filter((d) => !names.includes(d)) });
  p['detect hourly'] = await timedP50(() => runDetectors(store, until, only(HOURLY)));
  p['detect frequent'] = await timedP50(() => runDetectors(store, until, only(FREQUENT)));
  return { bytes_per_flow: bytesPerFlow, store: { flows_parts: Number(flowsPart?.parts ?? 0), merges_running: Number(merges?.n ?? 0) }, address, p50_ms: p };
}

export async function scaleBench(steps: readonly number[], scratch: string, log: (s: string) => void): Promise<ScaleStep[]> {
  const dataDir = join(scratch, 'scale-store');
  const gen = join(scratch, 'scale-day');
  await freshStore(dataDir);
  const results: ScaleStep[] = [];
  try {
    const plan = chunkPlan(steps, steps[0]!);
    for (let s = 0; s < steps.length; s++) {
      let flows = 0, seconds = 0, peak: number | null = null;
      for (const c of plan[s]!) {
        log(`  step ${s + 1}/${steps.length}: day ${c.day + 1}, generating ${c.flows.toLocaleString('en-US')} flows ...`);
        rmSync(gen, { recursive: true, force: true });
        await generate({ out: gen, flows: c.flows, seed: 42, start: new Date((EPOCH + c.day * DAY) * 1000), hours: 24 });
        log('    ingesting (flowlog ingest, child process) ...');
        const m = await flowlogIngest(gen, dataDir, { sampleMs: 500 });
        flows += m.rows; seconds += m.seconds;
        if (m.peakRssMb !== null) peak = Math.max(peak ?? 0, m.peakRssMb);
      }
      rmSync(gen, { recursive: true, force: true });
      log(`  step ${s + 1}: ${steps[s]!.toLocaleString('en-US')} flows stored; timing queries (p50 of ${RUNS}) ...`);
      // the bench process opens the store itself between steps (one process per data dir)
      const store = await openStore({ dataDir, migrate: false });
      try {
        const q = await measureQueries(store, log);
        results.push({ flows: steps[s]!, ingest: { flows, seconds: +seconds.toFixed(1), flows_per_sec: Math.round(flows / seconds), peak_rss_mb: peak === null ? null : Math.round(peak) }, ...q });
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(gen, { recursive: true, force: true });
  }
  return results;
}

/** One column per step: the curve as text. */
export function formatScale(steps: readonly ScaleStep[]): string {
  const names = [...new Set(steps.flatMap((s) => Object.keys(s.p50_ms)))];
  const rows: string[][] = [
    ['flows stored', ...steps.map((s) => s.flows.toLocaleString('en-US'))],
    ['ingest flows/s (this step)', ...steps.map((s) => s.ingest.flows_per_sec.toLocaleString('en-US'))],
    ['ingest peak RSS MB', ...steps.map((s) => String(s.ingest.peak_rss_mb ?? '-'))],
    ['bytes/flow on disk, flows', ...steps.map((s) => String(s.bytes_per_flow.flows_table))],
    ['bytes/flow on disk, all tables', ...steps.map((s) => String(s.bytes_per_flow.all_tables))],
    ['flows active parts (at timing)', ...steps.map((s) => String(s.store.flows_parts))],
    ['merges running (at timing)', ...steps.map((s) => String(s.store.merges_running))],
    ...names.map((n) => [`p50 ms ${n}`, ...steps.map((s) => (n in s.p50_ms ? String(s.p50_ms[n]) : '-'))]),
  ];
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join('  ')).join('\n');
}
