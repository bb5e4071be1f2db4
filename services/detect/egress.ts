/**
 * Egress spikes and slow ramps: bytes from internal sources to public
 * addresses, per owner / service / subnet / workload and hour (the egress_1h
 * rollup, aggregated in the engine), against a robust seasonal baseline:
 *   1. the same hour of the week in up to 4 earlier weeks (>= 3 of them);
 *   2. while history is shorter: the same hour on up to 7 earlier days.
 * 2 is labelled "learning". A spike needs a minimum volume, a ratio to
 * the baseline and persistence (several flagged hours in the recent window),
 * so one noisy hour pages nobody. A ramp is many mildly-high hours whose excess
 * adds up (low-and-slow exfiltration that never spikes), or a steady rise that
 * also crosses the spike line: the rise, not the line, names the kind.
 *
 * Cold start: an entity with less than coldStartHours of its own history has
 * no baseline yet and is not judged against its peers; only an hour extreme
 * for the whole estate (coldStartFactor times the largest hour any
 * established entity of its kind had in the previous 7 days) is a spike. A
 * workload first seen (in any flow) after the estate's own cold start, once
 * its egress reaches min_bytes, gets one informational new_workload finding
 * while it learns, and its bytes stay out
 * of its subnet's, service's and owner's series until it is established, so
 * its arrival is not a rise of theirs.
 *
 * The levels are one incident: findings at workload, subnet, service and
 * owner level that one workload's traffic explains are merged (incident.ts).
 */
import type { FlowStore } from '../store/store.js';
import type { Finding, Severity } from './finding.js';
import { mergeLevels, type Candidate, type WorkloadAttrs } from './incident.js';
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
  /** Cold start: hours of its own history an entity needs before it is judged against its own baseline. */
  coldStartHours: number;
  /** Cold start: an hour is extreme for the estate at this many times the largest hour of any established entity of the kind (previous 7 days). */
  coldStartFactor: number;
  /** One incident: a workload whose excess is at least this share of a subnet's, service's or owner's excess is that finding's cause. */
  groupShare: number;
}

export const EGRESS_DEFAULTS: EgressParams = {
  kinds: ['owner', 'service', 'subnet', 'workload'], windowHours: 3, maxFactor: 2, threshold: 4, minBytes: 200e6, minRatio: 3, persistence: 2,
  rampHours: 6, rampZ: 1.5, rampMinBytes: 500e6, rampGrowth: 2, rampTrend: 0.8, coldStartHours: 72, coldStartFactor: 2, groupShare: 0.5,
};

const WORKLOAD = "replaceOne(toString(src_addr), '::ffff:', '')";
const COLUMN: Record<EgressEntity, string> = { owner: 'owner', service: 'service', subnet: 'subnet', workload: WORKLOAD };
const FLOW_FILTER: Record<EgressEntity, string> = { owner: 'src_owner', service: 'src_service', subnet: 'src_subnet', workload: WORKLOAD };
const H = 3_600_000;

export interface HourEval { hour: number; observed: number; expected: number; z: number; basis: 'seasonal' | 'daily' | 'cold' }

/** Baseline of one entity-hour: seasonal, then daily; an entity in its cold start has none. */
export function evaluate(series: Map<number, number>, firstHour: number, hour: number): HourEval {
  const observed = series.get(hour) ?? 0;
  const back = (step: number, n: number) => Array.from({ length: n }, (_, k) => hour - (k + 1) * step).filter((t) => t >= firstHour).map((t) => series.get(t) ?? 0);
  const weekly = back(7 * 24 * H, 4), daily = back(24 * H, 7);
  const [samples, basis] = weekly.length >= 3 ? [weekly, 'seasonal' as const] : daily.length >= 3 ? [daily, 'daily' as const] : [[], 'cold' as const];
  if (basis === 'cold') return { hour, observed, expected: 0, z: 0, basis };
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

type Series = Map<string, Map<number, number>>;

function bySeries(rows: { h: number; e: string; b: number }[]): Series {
  const out: Series = new Map();
  for (const r of rows) {
    let s = out.get(r.e);
    if (!s) out.set(r.e, (s = new Map()));
    s.set(Number(r.h), Number(r.b));
  }
  return out;
}

export interface EgressResult { spikes: Finding[]; ramps: Finding[]; newWorkloads: Finding[] }

/**
 * `open` are the egress episodes still open (detector and entity): a rise
 * already reported as a ramp stays a ramp when it levels off above the spike
 * line, and an episode's totals run from its first hour.
 */
export async function detectEgress(store: FlowStore, now: Date, params: Partial<EgressParams> = {}, open: OpenEgress = new Map()): Promise<EgressResult> {
  const p = { ...EGRESS_DEFAULTS, ...params };
  const end = Math.floor(now.getTime() / H) * H; // exclusive: the current hour is not complete
  const lookback = Math.max(p.windowHours, p.rampHours);
  const from = end - (28 * 24 + lookback) * H;
  const hours = Array.from({ length: lookback }, (_, i) => end - (lookback - i) * H);
  const query = async (kind: EgressEntity, cold: string[]) => bySeries(await store.queryRows<{ h: number; e: string; b: number }>(
    `SELECT toUnixTimestamp(hour) * 1000 AS h, ${COLUMN[kind]} AS e, sum(bytes) AS b FROM egress_1h
     WHERE hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64}) AND e != ''
       ${cold.length ? `AND ${WORKLOAD} NOT IN {cold:Array(String)}` : ''} GROUP BY h, e`, { from, to: end, cold }));

  // workloads first: their history decides who is still in cold start
  const workloads = await query('workload', []);
  const firstOf = (s: Map<number, number>) => Math.min(...s.keys());
  const estateFirst = Math.min(...[...workloads.values()].map(firstOf));
  const coldSince = end - p.coldStartHours * H;
  const cold = [...workloads].filter(([, s]) => firstOf(s) > coldSince).map(([w]) => w);
  const attrs = await workloadAttrs(store, from, end);

  const candidates: Candidate[] = [];
  const workloadEvals = new Map<string, Map<number, HourEval>>();
  for (const kind of ['workload', ...p.kinds.filter((k) => k !== 'workload')] as EgressEntity[]) {
    const byEntity = kind === 'workload' ? workloads : await query(kind, cold);
    const first = new Map([...byEntity].map(([e, s]) => [e, firstOf(s)]));
    const established = [...byEntity].filter(([e]) => first.get(e)! <= coldSince);
    const windowStart = end - p.windowHours * H;
    // the estate's largest hour of this kind, before the window: what "extreme" means for an entity without a baseline
    const estateMax = Math.max(0, ...established.map(([, s]) => largestHour(s, windowStart - 7 * 24 * H, windowStart)));
    for (const [entity, series] of byEntity) {
      const firstHour = first.get(entity)!;
      const evals = hours.filter((h) => h >= firstHour).map((h) => evaluate(series, firstHour, h));
      if (kind === 'workload') workloadEvals.set(entity, new Map(evals.map((e) => [e.hour, e])));
      if (!p.kinds.includes(kind)) continue;
      const recent = evals.slice(-p.windowHours);
      if (firstHour > coldSince) {
        const line = Math.max(p.minBytes, p.coldStartFactor * estateMax);
        const extreme = recent.filter((e) => e.observed >= line);
        if (extreme.length >= p.persistence) candidates.push({ detector: 'egress_spike', kind, entity, hours: extreme, cold: true, series });
        continue;
      }
      // the recent max is taken before the window, so a spike's own first hours do not raise the bar for its later ones
      const bar = recent.length ? largestHour(series, recent[0]!.hour - 7 * 24 * H, recent[0]!.hour) * p.maxFactor : 0;
      const flagged = recent.filter((e) => e.z >= p.threshold && e.observed >= p.minBytes && e.observed >= p.minRatio * Math.max(e.expected, 1) && e.observed > bar);
      const tail = evals.slice(-p.rampHours);
      if (isRamp(tail, p)) candidates.push({ detector: 'egress_ramp', kind, entity, hours: tail, cold: false, series });
      else if (flagged.length >= p.persistence) {
        const rise = risingRun(evals, p);
        const wasRamp = open.get(`${kind}=${entity}`)?.detector === 'egress_ramp';
        candidates.push(rise.length || wasRamp ? { detector: 'egress_ramp', kind, entity, hours: rise.length ? rise : flagged, cold: false, series }
          : { detector: 'egress_spike', kind, entity, hours: flagged, cold: false, series });
      }
    }
  }

  const spikes: Finding[] = [], ramps: Finding[] = [];
  for (const inc of mergeLevels(candidates, workloadEvals, workloads, attrs, p.groupShare, new Set(cold))) {
    const f = await finding(store, inc.lead, inc.levels, attrs.get(inc.anchor ?? ''), open);
    (f.detector === 'egress_ramp' ? ramps : spikes).push(f);
  }
  // new: first seen at all (not only its first egress: a database that only ever sends its nightly backup is not new) after the estate's own cold start
  const settled = estateFirst + p.coldStartHours * H;
  const late = cold.filter((w) => firstOf(workloads.get(w)!) >= settled);
  const seen = await firstSeenInFlows(store, late, from, end);
  // ...and worth knowing about: egress that reached min_bytes (a new address of an old dual-stack host sending a few KB is not)
  const total = (w: string) => [...workloads.get(w)!.values()].reduce((a, b) => a + b, 0);
  const newWorkloads = late.filter((w) => (seen.get(w) ?? Infinity) >= settled && total(w) >= p.minBytes)
    .map((w) => newWorkload(w, firstOf(workloads.get(w)!), end, p, attrs.get(w), workloads.get(w)!));
  return { spikes, ramps, newWorkloads };
}

/** Entity key ("workload=10.1.2.3") to the egress detector and first hour (ms) of its open episode. */
export type OpenEgress = Map<string, { detector: string; firstSeen: number }>;

/** Ramp: the last rampHours hours all mildly high, their excess adding up, rising steadily. */
export function isRamp(tail: readonly HourEval[], p: Pick<EgressParams, 'rampHours' | 'rampZ' | 'rampMinBytes' | 'rampGrowth' | 'rampTrend'>): boolean {
  const excess = tail.reduce((a, e) => a + Math.max(0, e.observed - e.expected), 0);
  return tail.length === p.rampHours && tail.every((e) => e.basis !== 'cold' && e.z >= p.rampZ) && excess >= p.rampMinBytes
    && tail[tail.length - 1]!.observed >= p.rampGrowth * Math.max(tail[0]!.observed, 1) && trend(tail.map((e) => e.observed)) >= p.rampTrend;
}

/** Largest hour-to-hour growth that is still a slope: a jump larger than this within one hour is a step. */
const MAX_STEP = 4;
/** Smallest hour-to-hour growth that counts as rising (noise wobbles by less). */
const MIN_STEP = 1.1;

/**
 * The steady rise ending at the newest hour: the hours, going back, while each
 * is 1.1 to 4 times the one before it. A step (one jump, then flat) has no
 * such run; a ramp that crossed the spike line does, from where it started.
 * Returned only when it spans at least 3 hours and has grown rampGrowth times from its first hour.
 */
export function risingRun(evals: readonly HourEval[], p: Pick<EgressParams, 'rampGrowth'>): HourEval[] {
  let i = evals.length - 1;
  while (i > 0) {
    const r = evals[i]!.observed / Math.max(evals[i - 1]!.observed, 1);
    if (r < MIN_STEP || r > MAX_STEP) break;
    i--;
  }
  const run = evals.slice(i);
  return run.length >= 3 && run[run.length - 1]!.observed >= p.rampGrowth * Math.max(run[0]!.observed, 1) ? run : [];
}

/**
 * When each workload was first seen at all in [from, to): in any flow, internal too, at either end (a database
 * that only answers is there from the start). Asked only for workloads whose first egress is recent, usually none.
 */
async function firstSeenInFlows(store: FlowStore, ws: string[], from: number, to: number): Promise<Map<string, number>> {
  if (ws.length === 0) return new Map();
  const rows = await store.queryRows<{ w: string; t: number }>(
    `SELECT replaceOne(toString(a), '::ffff:', '') AS w, min(t) AS t FROM (
       SELECT arrayJoin([src_addr, dst_addr]) AS a, toUnixTimestamp64Milli(start_time) AS t FROM flows
       WHERE toStartOfHour(start_time) >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64})
         AND (src_addr IN (SELECT toIPv6(arrayJoin({ws:Array(String)}))) OR dst_addr IN (SELECT toIPv6(arrayJoin({ws:Array(String)})))))
     WHERE a IN (SELECT toIPv6(arrayJoin({ws:Array(String)}))) GROUP BY a`, { from, to, ws });
  return new Map(rows.map((r) => [r.w, Number(r.t)]));
}

/** Owner, service and subnet of each workload, as the newest egress hour has them. */
async function workloadAttrs(store: FlowStore, from: number, to: number): Promise<Map<string, WorkloadAttrs>> {
  const rows = await store.queryRows<{ w: string; owner: string; service: string; subnet: string }>(
    `SELECT ${WORKLOAD} AS w, argMax(owner, hour) AS owner, argMax(service, hour) AS service, argMax(subnet, hour) AS subnet FROM egress_1h
     WHERE hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64}) GROUP BY w`, { from, to });
  return new Map(rows.map((r) => [r.w, { workload: r.w, owner: r.owner, service: r.service, subnet: r.subnet }]));
}

function newWorkload(w: string, first: number, end: number, p: EgressParams, a: WorkloadAttrs | undefined, series: Map<number, number>): Finding {
  const until = new Date(first + p.coldStartHours * H);
  const total = [...series.values()].reduce((x, y) => x + y, 0);
  const where = [a?.owner && `owner ${a.owner}`, a?.service && `service ${a.service}`, a?.subnet && `subnet ${a.subnet}`].filter(Boolean).join(', ');
  return {
    detector: 'new_workload', entity: `workload=${w}`, owner: a?.owner || null, windowStart: new Date(first), windowEnd: new Date(end),
    severity: 'info', score: 0, observed: total, expected: null, unit: 'bytes',
    summary: `new workload: ${w}${where ? ` (${where})` : ''} first sent to the internet ${new Date(first).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${gb(total)} so far; `
      + `learning its baseline until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC (only volumes extreme for the whole estate are flagged until then)`,
    evidence: { topFlows: [], sql: `SELECT * FROM egress_1h WHERE src_addr = toIPv6(${sqlString(w)}) ORDER BY hour` },
    firstSeen: new Date(first), lastSeen: new Date(end), status: 'open',
    labels: { kind: 'workload', baseline: 'learning', learning_until: until.toISOString(), ...(a?.owner ? { owner: a.owner } : {}), ...(a?.service ? { service: a.service } : {}), ...(a?.subnet ? { subnet: a.subnet } : {}) },
  };
}

const LEVELS: EgressEntity[] = ['workload', 'subnet', 'service', 'owner'];

async function finding(store: FlowStore, lead: Candidate, levels: Candidate[], a: WorkloadAttrs | undefined, open: OpenEgress): Promise<Finding> {
  const { detector, kind, entity, hours } = lead;
  const ws = new Date(hours[0]!.hour), we = new Date(hours[hours.length - 1]!.hour + H);
  const observed = hours.reduce((x, e) => x + e.observed, 0), expected = hours.reduce((x, e) => x + e.expected, 0);
  const z = Math.max(...hours.map((e) => e.z));
  const ratio = observed / Math.max(expected, 1);
  const learning = hours.some((e) => e.basis !== 'seasonal');
  const where = `start_time >= ${sqlTime(ws)} AND start_time < ${sqlTime(we)} AND egress = 1 AND ${FLOW_FILTER[kind]} = ${sqlString(entity)}`;
  const sql = `SELECT replaceOne(toString(src_addr), '::ffff:', '') AS src, replaceOne(toString(dst_addr), '::ffff:', '') AS dst, dst_service, dst_port, sum(bytes) AS bytes, count() AS flows\nFROM flows WHERE ${where}\nGROUP BY src, dst, dst_service, dst_port ORDER BY bytes DESC LIMIT 20`;
  const topFlows = await store.queryRows<Record<string, unknown>>(
    `SELECT replaceOne(toString(src_addr), '::ffff:', '') AS src, replaceOne(toString(dst_addr), '::ffff:', '') AS dst, dst_service, dst_port, sum(bytes) AS bytes
     FROM flows WHERE ${flowWindow('ws', 'we')} AND egress = 1 AND ${FLOW_FILTER[kind]} = {e:String}
     GROUP BY src, dst, dst_service, dst_port ORDER BY bytes DESC LIMIT 5`, { ws: chTime(ws), we: chTime(we), e: entity });
  const owner = kind === 'owner' ? entity : a?.owner || ((await store.queryRows<{ o: string }>(
    `SELECT any(src_owner) AS o FROM flows WHERE ${flowWindow('ws', 'we')} AND egress = 1 AND ${FLOW_FILTER[kind]} = {e:String}`,
    { ws: chTime(ws), we: chTime(we), e: entity }))[0]?.o ?? null);
  const what = detector === 'egress_spike' ? 'egress spike' : 'slow egress ramp';
  // the entity at every level: the workload's own attributes, and the levels whose findings this one absorbed
  const names: Partial<Record<EgressEntity, string>> = { ...(a ? { workload: a.workload, subnet: a.subnet, service: a.service, owner: a.owner } : {}) };
  for (const l of levels) names[l.kind] = l.entity;
  const fired = LEVELS.filter((k) => levels.some((l) => l.kind === k));
  const context = LEVELS.filter((k) => k !== kind && names[k]).map((k) => `${k} ${names[k]}`).join(', ');
  const worst = hours.reduce((m, e) => (e.observed > m.observed ? e : m), hours[0]!);
  // the episode's totals, from its first hour (an open episode of the same entity) to now
  const since = Math.min(ws.getTime(), open.get(`${kind}=${entity}`)?.firstSeen ?? Infinity);
  let total = 0, peak = worst.observed, peakAt = worst.hour, n = 0;
  for (let h = since; h < we.getTime(); h += H, n++) {
    const b = lead.series.get(h) ?? 0;
    total += b;
    if (b > peak) [peak, peakAt] = [b, h];
  }
  return {
    detector, entity: `${kind}=${entity}`, owner: owner || null, windowStart: ws, windowEnd: we,
    severity: lead.cold ? 'high' : severityOf(z, ratio, observed), score: +z.toFixed(2), observed, expected: Math.round(expected), unit: 'bytes',
    summary: `${what}: ${kind} ${entity}${context ? ` (${context})` : ''} sent ${gb(observed)} to the internet in ${hours.length} h, `
      + (lead.cold ? 'extreme for the whole estate while it has no baseline yet (new)'
        : `${ratio >= 100 ? '>100' : ratio.toFixed(1)}x its baseline of ${gb(expected)}${learning ? ' (baseline still learning)' : ''}`)
      + `; episode: ${gb(total)} in ${n} h since ${new Date(since).toISOString().slice(0, 16).replace('T', ' ')} UTC, peak hour ${gb(peak)} at ${new Date(peakAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`
      + (fired.length > 1 ? `; one incident, seen at ${fired.join(', ')} level` : ''),
    evidence: { topFlows, sql },
    firstSeen: ws, lastSeen: we, status: 'open',
    labels: {
      kind, baseline: lead.cold ? 'learning' : learning ? 'learning' : 'seasonal', hours: String(hours.length), levels: fired.join(','),
      peak_hour: new Date(peakAt).toISOString(), peak_bytes: String(peak), episode_bytes: String(total), episode_hours: String(n),
      ...Object.fromEntries(LEVELS.filter((k) => names[k]).map((k) => [k, names[k]!])),
    },
  };
}
