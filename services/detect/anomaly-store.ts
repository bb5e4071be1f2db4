/**
 * Findings into the anomalies table: one open episode per (detector, entity)
 * that a detector updates each time it sees the entity again (same
 * first_seen, newer version), instead of a new row per run. Episodes a
 * detector no longer sees are resolved after a grace period; suppression
 * rules turn matching findings into status 'suppressed' (kept, not alerted).
 */
import type { FlowStore } from '../store/store.js';
import type { DetectorName, Finding } from './finding.js';
import { isSuppressed, type Suppression } from './suppression.js';
import { chTime, fromChTime } from '../store/ch-time.js';

const COLUMNS = ['detector', 'entity', 'owner', 'window_start', 'window_end', 'severity', 'score', 'observed', 'expected', 'unit', 'summary',
  'top_flows', 'evidence_sql', 'first_seen', 'last_seen', 'detected_at', 'status', 'labels', 'version'] as const;

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

interface OpenEpisode { detector: string; entity: string; first_seen: string; last_seen: string; detected_at: string; severity: keyof typeof SEVERITY_RANK; status: string; row: Record<string, unknown> }

/**
 * The episodes open as of `asOf` (default: all that are open now): a replay
 * over a past window sees them as they were at each of its runs, not as a
 * later run or an earlier replay of the window left them, so replaying twice
 * rewrites the same episodes instead of opening new ones. Merges keep only an
 * episode's newest row, so "as of" is read from it: detected by then, and not
 * resolved by then (a resolved episode never reopens; its newest row is the
 * resolution, versioned with its time).
 */
export async function openEpisodes(store: FlowStore, detector: DetectorName, asOf?: Date): Promise<Map<string, OpenEpisode>> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `SELECT * EXCEPT (version), toString(first_seen) AS first_seen_s, toString(last_seen) AS last_seen_s, toString(detected_at) AS detected_at_s
     FROM anomalies FINAL WHERE detector = {d:String} AND ${asOf ? "detected_at <= {t:DateTime64(3)} AND (status != 'resolved' OR version > {v:UInt64})" : "status != 'resolved'"}`,
    { d: detector, ...(asOf ? { t: chTime(asOf), v: asOf.getTime() } : {}) });
  return new Map(rows.map((r) => [String(r.entity), {
    detector, entity: String(r.entity), first_seen: String(r.first_seen_s), last_seen: String(r.last_seen_s), detected_at: String(r.detected_at_s),
    severity: r.severity as OpenEpisode['severity'], status: String(r.status), row: r,
  }]));
}

export interface OpenEpisodeRef { detector: string; entity: string; firstSeen: Date; status: string; incident: string | null; source: string | null }

/** Every episode not resolved, of every detector: what a run's findings continue or join. */
export async function openEpisodeIndex(store: FlowStore): Promise<OpenEpisodeRef[]> {
  const rows = await store.queryRows<{ detector: string; entity: string; fs: string; status: string; incident: string; source: string }>(
    "SELECT detector, entity, toString(first_seen) AS fs, status, labels['incident'] AS incident, labels['source'] AS source FROM anomalies_current WHERE status != 'resolved'");
  return rows.map((r) => ({ detector: r.detector, entity: r.entity, firstSeen: fromChTime(r.fs), status: r.status, incident: r.incident || null, source: r.source || null }));
}

export interface UpsertResult { opened: number; updated: number; resolved: number; suppressed: number }

/**
 * Records one detector run: `findings` are what it sees now (for windows up
 * to `now`); open episodes of this detector it no longer sees for `graceMs`
 * are resolved.
 */
export async function recordRun(store: FlowStore, detector: DetectorName, findings: Finding[], now: Date, opts: { suppressions?: Suppression[]; graceMs?: number } = {}): Promise<UpsertResult> {
  const open = await openEpisodes(store, detector, now);
  const version = now.getTime();
  const lines: string[] = [];
  const res: UpsertResult = { opened: 0, updated: 0, resolved: 0, suppressed: 0 };
  const seen = new Set<string>();
  for (const f of findings) {
    seen.add(f.entity);
    const ep = open.get(f.entity);
    const suppressed = isSuppressed(f, opts.suppressions ?? [], now);
    if (suppressed) res.suppressed++;
    else if (ep) res.updated++;
    else res.opened++;
    // an episode keeps its start, its worst severity and its worst window; the rest is the newest view
    const firstSeen = ep ? ep.first_seen : chTime(f.firstSeen);
    const severity = ep && SEVERITY_RANK[ep.severity] > SEVERITY_RANK[f.severity] ? ep.severity : f.severity;
    const prev = (ep?.row.labels ?? {}) as Record<string, string>;
    const worst = ep && prev.worst_score !== undefined && Number(prev.worst_score) > f.score
      ? { worst_score: prev.worst_score, worst_window: prev.worst_window ?? '', worst_summary: prev.worst_summary ?? '' }
      : { worst_score: String(f.score), worst_window: `${f.windowStart.toISOString()}/${f.windowEnd.toISOString()}`, worst_summary: f.summary };
    const status = suppressed ? 'suppressed' : f.status === 'merged' ? 'merged' : 'open';
    lines.push(JSON.stringify({
      detector, entity: f.entity, owner: f.owner ?? '', window_start: chTime(f.windowStart), window_end: chTime(f.windowEnd),
      severity, score: f.score, observed: f.observed, expected: f.expected, unit: f.unit, summary: f.summary,
      top_flows: JSON.stringify(f.evidence.topFlows), evidence_sql: f.evidence.sql, first_seen: firstSeen, last_seen: chTime(f.lastSeen),
      detected_at: ep ? ep.detected_at : chTime(now),
      status, labels: { ...f.labels, ...worst, ...(suppressed ? { suppressed_by: suppressed } : {}) }, version,
    }));
  }
  const grace = opts.graceMs ?? 2 * 3_600_000;
  for (const ep of open.values()) {
    if (seen.has(ep.entity) || fromChTime(ep.last_seen).getTime() > now.getTime() - grace) continue;
    res.resolved++;
    const r = ep.row;
    lines.push(JSON.stringify({
      ...Object.fromEntries(COLUMNS.filter((c) => c !== 'version').map((c) => [c, r[c]])),
      window_start: String(r.window_start), window_end: String(r.window_end), first_seen: ep.first_seen, last_seen: ep.last_seen, detected_at: ep.detected_at,
      status: 'resolved', version,
    }));
  }
  if (lines.length) await store.insertJsonLines('anomalies', COLUMNS, Buffer.from(lines.join('\n')), `anomalies:${detector}:${version}`);
  return res;
}
