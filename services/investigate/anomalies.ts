/**
 * Detector findings touching the target in the window: its entity names the
 * target (src=ADDR, ADDR->dest, owner=NAME, service=NAME), its owner is the
 * target owner, or its evidence (summary, top flows, evidence SQL) mentions one
 * of the target's addresses. Addresses are pulled out of the text and compared
 * as addresses, so 10.0.1.1 does not match inside 10.0.1.10, and a CIDR target
 * finds every address of its range.
 */
import type { FlowStore } from '../store/store.js';
import { windowParams } from './target-flows.js';
import type { Target } from './target.js';
import { isoFromCh, type TimeWindow } from './time-window.js';

export interface AnomalyHit {
  detector: string; entity: string; owner: string; severity: string; status: string; summary: string;
  first_seen: string; last_seen: string;
  /** Why it is listed: entity, owner or evidence. */
  match: 'entity' | 'owner' | 'evidence';
}

const V4 = '\\b[0-9]{1,3}(?:\\.[0-9]{1,3}){3}\\b';
const V6 = '[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}';

/** True when the text mentions an address inside one of the target's ranges. */
const mentions = (text: string): string =>
  `arrayExists(a -> arrayExists((l, h) -> ifNull(toIPv6OrNull(a) >= l AND toIPv6OrNull(a) <= h, false), {los:Array(IPv6)}, {his:Array(IPv6)}),
     arrayConcat(extractAll(${text}, {v4:String}), extractAll(${text}, {v6:String})))`;

export async function anomaliesOf(store: FlowStore, t: Target, w: TimeWindow): Promise<AnomalyHit[]> {
  const evidence = "concat(summary, ' ', top_flows, ' ', evidence_sql)";
  const params: Record<string, unknown> = { ...windowParams(w), los: t.ranges.map((r) => r.lo), his: t.ranges.map((r) => r.hi), v4: V4, v6: V6, name: t.value };
  let entity: string, owner = 'false', inEvidence = 'false';
  if (t.kind === 'owner') { entity = "entity = concat('owner=', {name:String})"; owner = 'owner = {name:String}'; }
  else if (t.kind === 'service') entity = "entity = concat('service=', {name:String})";
  else {
    entity = mentions('entity');
    inEvidence = mentions(evidence);
    if (t.kind === 'eni') { entity += ' OR position(entity, {name:String}) > 0'; inEvidence += ` OR position(${evidence}, {name:String}) > 0`; }
  }
  const rows = await store.queryRows<Omit<AnomalyHit, 'first_seen' | 'last_seen'> & { first: string; last: string }>(
    `SELECT detector, entity, owner, severity, status, summary, toString(a.first_seen) AS first, toString(a.last_seen) AS last,
       multiIf(${entity}, 'entity', ${owner}, 'owner', ${inEvidence}, 'evidence', '') AS match
     FROM anomalies_current AS a
     WHERE a.last_seen >= {since:DateTime64(3, 'UTC')} AND a.first_seen < {until:DateTime64(3, 'UTC')} AND match != ''
     ORDER BY indexOf(['critical', 'high', 'medium', 'low', 'info'], severity), a.last_seen DESC, entity
     LIMIT 100`, params);
  return rows.map(({ first, last, ...r }) => ({ ...r, first_seen: isoFromCh(first), last_seen: isoFromCh(last) }));
}
