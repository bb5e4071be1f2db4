/**
 * Egress spikes and slow ramps: bytes from internal sources to public
 * addresses, per owner / service / subnet / workload and hour (the egress_1h
 * rollup, aggregated in the engine), against a robust seasonal baseline:
 *   1. the same hour of the week in up to 4 earlier weeks (>= 3 of them);
 *   2. while history is shorter: the same hour on up to 7 earlier days;
 *   3. with less than that: the entity's peers (same kind) in the same hour.
 * 2 and 3 are labelled "learning". A spike needs a minimum volume, a ratio to
 * the baseline and persistence (several flagged hours in the recent window),
 * so one noisy hour pages nobody. A ramp is many mildly-high hours whose excess
 * adds up: low-and-slow exfiltration that never spikes.
 */
import type { FlowStore } from '../store/store.js';
import type { Finding, Severity } from './finding.js';
import { robustZ, trend } from './robust.js';
import { chTime, sqlString, sqlTime, flowWindow } from './sql-text.js';

export type EgressEntity = 'owner' | 'service' | 'subnet' | 'workload';

export interface EgressParams {
  kinds: EgressEntity[];
  /** Complete hours evaluated, ending at the last complete hour before `now`. */
  windowHours: number;
  /** Spike: above this many times the entity's largest hour of the previous 7 days (bursts it already does, like backups, stay quiet)... */
  maxFactor: number;
  /** ...robust z at or above this... */
  threshold: number;
  /** ...with at least this many bytes in the hour... */
  minBytes: number;
  /** ...and this many times the baseline... */
  minRatio: number;
  /** ...in at least this many hours of the window. */
  persistence: number;
  /** Ramp: hours in a row at or above rampZ whose excess over the baseline reaches rampMinBytes. */
  rampHours: number;
  rampZ: number;
  rampMinBytes: number;
  /** A ramp rises: its last hour at least this many times its first... */
  rampGrowth: number;
  /** ...and its hours in order: Spearman correlation with time at least this (a steady new flow is a step, scattered bursts are noise). */
  rampTrend: number;
}

export const EGRESS_DEFAULTS: EgressParams = {
  kinds: ['owner', 'service', 'subnet', 'workload'], windowHours: 3, maxFactor: 2, threshold: 4, minBytes: 200e6, minRatio: 3, persistence: 2,
  rampHours: 6, rampZ: 1.5, rampMinBytes: 500e6, rampGrowth: 2, rampTrend: 0.8,
};

const COLUMN: Record<EgressEntity, string> = {
  owner: 'owner', service: 'service', subnet: 'subnet', workload: "replaceOne(toString(src_addr), '::ffff:', '')",
};
const FLOW_FILTER: Record<EgressEntity, string> = {
  owner: 'src_owner', service: 'src_service', subnet: 'src_subnet', workload: "replaceOne(toString(src_addr), '::ffff:', '')",
};
const H = 3_600_000;

export interface HourEval { hour: number; observed: number; expected: number; z: number; basis: 'seasonal' | 'daily' | 'peers' | 'none' }

/** Baseline of one entity-hour: seasonal, then daily, then peers (null when there is nothing to compare with). */
function evaluate(series: Map<number, number>, firstHour: number, hour: number, peers: number[]): HourEval {
  const observed = series.get(hour) ?? 0;
  const back = (step: number, n: number) => Array.from({ length: n }, (_, k) => hour - (k + 1) * step).filter((t) => t >= firstHour).map((t) => series.get(t) ?? 0);
  const weekly = back(7 * 24 * H, 4), daily = back(24 * H, 7);
  const [samples, basis] = weekly.length >= 3 ? [weekly, 'seasonal' as const] : daily.length >= 3 ? [daily, 'daily' as const] : peers.length >= 3 ? [peers, 'peers' as const] : [[], 'none' as const];
  if (basis === 'none') return { hour, observed, expected: 0, z: 0, basis };
  const { z, center } = robustZ(observed, samples);
  return { hour, observed, expected: center, z, basis };
}

function largestHour(series: Map<number, number>, from: number, to: number): number {
  let max = 0;
  for (let t = from; t < to; t += H) max = Math.max(max, series.get(t) ?? 0);
  return max;
}

function severityOf(z: number, ratio: number, bytes: number): Severity {
  if (z >= 10 && ratio >= 20 && bytes >= 5e9) return 'critical';
  if (z >= 7 && ratio >= 8) return 'high';
  if (z >= 5) return 'medium';
  return 'low';
}

const gb = (b: number) => `${(b / 1e9).toFixed(b >= 1e10 ? 0 : 2)} GB`;

export async function detectEgress(store: FlowStore, now: Date, params: Partial<EgressParams> = {}): Promise<{ spikes: Finding[]; ramps: Finding[] }> {
  const p = { ...EGRESS_DEFAULTS, ...params };
  const end = Math.floor(now.getTime() / H) * H; // exclusive: the current hour is not complete
  const lookback = Math.max(p.windowHours, p.rampHours);
  const from = end - (28 * 24 + lookback) * H;
  const spikes: Finding[] = [], ramps: Finding[] = [];
  for (const kind of p.kinds) {
    const rows = await store.queryRows<{ h: number; e: string; b: number }>(
      `SELECT toUnixTimestamp(hour) * 1000 AS h, ${COLUMN[kind]} AS e, sum(bytes) AS b FROM egress_1h
       WHERE hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64}) AND e != '' GROUP BY h, e`,
      { from, to: end });
    const byEntity = new Map<string, Map<number, number>>();
    for (const r of rows) {
      let s = byEntity.get(r.e);
      if (!s) byEntity.set(r.e, (s = new Map()));
      s.set(Number(r.h), Number(r.b));
    }
    const hours = Array.from({ length: lookback }, (_, i) => end - (lookback - i) * H);
    const peersAt = new Map(hours.map((h) => [h, [...byEntity.values()].map((s) => s.get(h) ?? 0)]));
    for (const [entity, series] of byEntity) {
      const first = Math.min(...series.keys());
      const evals = hours.filter((h) => h >= first).map((h) => evaluate(series, first, h, peersAt.get(h)!));
      const recent = evals.slice(-p.windowHours);
      // the recent max is taken before the window, so a spike's own first hours do not raise the bar for its later ones
      const bar = recent.length ? largestHour(series, recent[0]!.hour - 7 * 24 * H, recent[0]!.hour) * p.maxFactor : 0;
      const flagged = recent.filter((e) => e.basis !== 'none' && e.z >= p.threshold && e.observed >= p.minBytes && e.observed >= p.minRatio * Math.max(e.expected, 1) && e.observed > bar);
      if (flagged.length >= p.persistence) {
        spikes.push(await finding(store, 'egress_spike', kind, entity, flagged));
        continue;
      }
      const tail = evals.slice(-p.rampHours);
      if (isRamp(tail, p)) {
        ramps.push(await finding(store, 'egress_ramp', kind, entity, tail));
      }
    }
  }
  return { spikes, ramps };
}

/** Ramp: the last rampHours hours all mildly high, their excess adding up, rising steadily. */
export function isRamp(tail: readonly HourEval[], p: Pick<EgressParams, 'rampHours' | 'rampZ' | 'rampMinBytes' | 'rampGrowth' | 'rampTrend'>): boolean {
  const excess = tail.reduce((a, e) => a + Math.max(0, e.observed - e.expected), 0);
  return tail.length === p.rampHours && tail.every((e) => e.basis !== 'none' && e.z >= p.rampZ) && excess >= p.rampMinBytes
    && tail[tail.length - 1]!.observed >= p.rampGrowth * Math.max(tail[0]!.observed, 1) && trend(tail.map((e) => e.observed)) >= p.rampTrend;
}

async function finding(store: FlowStore, detector: 'egress_spike' | 'egress_ramp', kind: EgressEntity, entity: string, hours: HourEval[]): Promise<Finding> {
  const ws = new Date(hours[0]!.hour), we = new Date(hours[hours.length - 1]!.hour + H);
  const observed = hours.reduce((a, e) => a + e.observed, 0), expected = hours.reduce((a, e) => a + e.expected, 0);
  const z = Math.max(...hours.map((e) => e.z));
  const ratio = observed / Math.max(expected, 1);
  const learning = hours.some((e) => e.basis !== 'seasonal');
  const where = `start_time >= ${sqlTime(ws)} AND start_time < ${sqlTime(we)} AND egress = 1 AND ${FLOW_FILTER[kind]} = ${sqlString(entity)}`;
  const sql = `SELECT replaceOne(toString(src_addr), '::ffff:', '') AS src, replaceOne(toString(dst_addr), '::ffff:', '') AS dst, dst_service, dst_port, sum(bytes) AS bytes, count() AS flows\nFROM flows WHERE ${where}\nGROUP BY src, dst, dst_service, dst_port ORDER BY bytes DESC LIMIT 20`;
  const topFlows = await store.queryRows<Record<string, unknown>>(
    `SELECT replaceOne(toString(src_addr), '::ffff:', '') AS src, replaceOne(toString(dst_addr), '::ffff:', '') AS dst, dst_service, dst_port, sum(bytes) AS bytes
     FROM flows WHERE ${flowWindow('ws', 'we')} AND egress = 1 AND ${FLOW_FILTER[kind]} = {e:String}
     GROUP BY src, dst, dst_service, dst_port ORDER BY bytes DESC LIMIT 5`, { ws: chTime(ws), we: chTime(we), e: entity });
  const owner = kind === 'owner' ? entity : ((await store.queryRows<{ o: string }>(
    `SELECT any(src_owner) AS o FROM flows WHERE ${flowWindow('ws', 'we')} AND egress = 1 AND ${FLOW_FILTER[kind]} = {e:String}`,
    { ws: chTime(ws), we: chTime(we), e: entity }))[0]?.o ?? null);
  const what = detector === 'egress_spike' ? 'egress spike' : 'slow egress ramp';
  return {
    detector, entity: `${kind}=${entity}`, owner: owner || null, windowStart: ws, windowEnd: we,
    severity: severityOf(z, ratio, observed), score: +z.toFixed(2), observed, expected: Math.round(expected), unit: 'bytes',
    summary: `${what}: ${kind} ${entity} sent ${gb(observed)} to the internet in ${hours.length} h, ${ratio >= 100 ? '>100' : ratio.toFixed(1)}x its baseline of ${gb(expected)}${learning ? ' (baseline still learning)' : ''}`,
    evidence: { topFlows, sql },
    firstSeen: ws, lastSeen: we, status: 'open',
    labels: { kind, baseline: learning ? 'learning' : 'seasonal', hours: String(hours.length) },
  };
}
