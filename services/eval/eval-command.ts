/**
 * `npm run eval`: the detectors against ground truth. Generates 8 days of the
 * demo estate's traffic plus injected anomalies and decoys (scenario.ts),
 * ingests it enriched, replays the detector schedule over the last 2 days
 * (scans and novelty every 15 minutes, egress hourly) as if it were running
 * live, and prints precision, recall and detection latency per detector,
 * event-level, and the false findings per 1,000 workloads per day.
 */
import { resolveConfig } from '../config/resolve.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadIpam } from '../enrich/load.js';
import { openEnricher } from '../enrich/open.js';
import { loadEnrichFile, withPolicy } from '../enrich/settings.js';
import { DETECTORS, type DetectorName } from '../detect/finding.js';
import { replayDetectors } from '../detect/replay.js';
import { generate } from '../generate/index.js';
import { writeInventory } from '../generate/inventory-writer.js';
import { writeScenario } from '../generate/scenario.js';
import { ingestPath } from '../pipeline/ingest.js';
import { parseIpText } from '../core/ip.js';
import { ChdbStore } from '../store/chdb-store.js';
import { intFlag, parseCli } from '../cli/args.js';
import { fmtInt } from '../cli/progress.js';
import { score, type DetectorScore, type Episode } from './score.js';

export const TARGETS = { recall: 0.95, precision: 0.9, violationLatencyS: 60, falsePer1kPerDay: 1 };

export interface EvalResult { workloads: number; events: number; scores: DetectorScore[]; ingestSeconds: number; replaySeconds: number }

/** Builds the scenario in `dir` (emptied first), ingests it, replays the detectors, scores them. */
export async function runEval(dir: string, flows: number, log: (s: string) => void = () => undefined): Promise<EvalResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const seed = 42, days = 8, start = new Date('2026-11-01T00:00:00Z'), end = new Date(start.getTime() + days * 86_400_000);
  log(`eval: ${fmtInt(flows)} background flows over ${days} days + injected events, in ${dir}`);
  await writeInventory(join(dir, 'ipam'), seed);
  const plan = withPolicy(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')), join(dir, 'ipam', 'policy.yaml'))!;
  const model = await loadIpam(plan.settings);
  const ownerOf = (ip: string) => { const id = model.table.lookup(parseIpText(ip)!, 0); return id >= 0 ? model.entries[id]!.attrs.owner ?? null : null; };
  await generate({ out: join(dir, 'flows'), flows, seed, start, hours: days * 24 });
  const events = await writeScenario(join(dir, 'flows'), seed, start, days * 24, (vpc) => ownerOf(vpc.enis[0]!.ip));
  log(`eval: ${events.length} injected events (${events.filter((e) => e.decoy).length} decoys); ingesting ...`);
  const store = new ChdbStore(join(dir, 'store'));
  try {
    await store.migrate();
    const enrich = await openEnricher(plan, { store });
    const t0 = performance.now();
    const ingested = await ingestPath(store, join(dir, 'flows'), { enrich, capacity: resolveConfig({ env: process.env }).batch.rows });
    enrich.stop();
    const ingestSeconds = (performance.now() - t0) / 1000;
    log(`eval: ingested ${fmtInt(ingested.rows)} flows in ${ingestSeconds.toFixed(1)} s; replaying the detector schedule over the last 2 days ...`);
    const from = end.getTime() - 2 * 86_400_000;
    const t1 = performance.now();
    await replayDetectors(store, new Date(from), new Date(end.getTime() + 3_600_000), 15);
    const replaySeconds = (performance.now() - t1) / 1000;
    log(`eval: detectors replayed in ${replaySeconds.toFixed(1)} s`);
    const rows = await store.queryRows<{ detector: DetectorName; entity: string; ws: number; we: number; at: number; severity: string; summary: string }>(
      `SELECT detector, entity, toUnixTimestamp64Milli(min(window_start)) AS ws, toUnixTimestamp64Milli(max(window_end)) AS we, toUnixTimestamp64Milli(min(detected_at)) AS at,
         any(severity) AS severity, any(summary) AS summary
       FROM anomalies GROUP BY detector, entity, first_seen`);
    const episodes: Episode[] = rows.map((r) => ({ detector: r.detector, entity: r.entity, windowStart: Number(r.ws), windowEnd: Number(r.we), detectedAt: Number(r.at), severity: r.severity, summary: r.summary }));
    const [{ w } = { w: 0 }] = await store.queryRows<{ w: number }>('SELECT uniqExact(src_addr) AS w FROM flows WHERE src_is_internal = 1');
    return { workloads: Number(w), events: events.length, scores: score(DETECTORS, episodes, events), ingestSeconds, replaySeconds };
  } finally {
    await store.close();
  }
}

/** False findings per 1,000 workloads per day over the 2 replayed days. */
export const falseRate = (s: DetectorScore, workloads: number): number => s.falseFindings.length / (workloads / 1000) / 2;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { flows: { type: 'string' }, json: { type: 'boolean' } }, 'flowlog eval [--flows N] [--json]', { flags: {
    flows: 'background flows to generate (default 1200000)', json: 'print the scores as JSON' } });
  const dir = resolve(process.env.FLOWLOG_DATA_DIR ?? './.flowlog', 'eval');
  const r = await runEval(dir, intFlag('flows', values.flows, 1_200_000, 1), (s) => process.stderr.write(`${s}\n`));
  const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(0).padStart(4)}% `);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('\ndetector          events found  recall  findings true  precision  latency median/max   false/1k workloads/day');
  for (const s of r.scores) {
    out(`${s.detector.padEnd(17)} ${String(s.events).padStart(6)} ${String(s.found).padStart(5)}  ${pct(s.recall)}  ${String(s.findings).padStart(8)} ${String(s.truePositives).padStart(4)}  ${pct(s.precision)}     ` +
      `${s.latencyMedianS === null ? '-' : `${Math.round(s.latencyMedianS / 60)}/${Math.round(s.latencyMaxS! / 60)} min`}`.padEnd(20) + `${falseRate(s, r.workloads).toFixed(2)}`);
  }
  for (const s of r.scores) {
    for (const m of s.missed) out(`  missed by ${s.detector}: ${m}`);
    for (const f of s.falseFindings.slice(0, 5)) out(`  false ${s.detector}: ${f.summary}`);
  }
  out(`\ntargets: recall >= ${TARGETS.recall}, precision >= ${TARGETS.precision} per detector; <= ${TARGETS.falsePer1kPerDay} false finding per 1k workloads per day (${fmtInt(r.workloads)} workloads)`);
  if (values.json) out(JSON.stringify({ workloads: r.workloads, scores: r.scores.map(({ falseFindings, ...s }) => ({ ...s, falseFindings: falseFindings.length })) }));
  return 0;
}
