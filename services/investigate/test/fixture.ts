/**
 * A store filled the way production fills it: generated flow logs for the
 * demo estate, ingested with its IPAM, ending at `now` so the saved queries'
 * default windows (the last hour, the last day vs the week before) find data.
 * A sparse week of history plus two dense hours; then policy violations and
 * detector findings written the way their producers write them, about targets
 * picked from the data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { recordRun } from '../../detect/anomaly-store.js';
import type { Finding } from '../../detect/finding.js';
import { openEnricher } from '../../enrich/open.js';
import { loadEnrichFile } from '../../enrich/settings.js';
import { generate } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';
import { ingestPath } from '../../pipeline/ingest.js';
import type { FlowStore } from '../../store/store.js';

export const SEED = 42;
const HOUR = 3_600_000;

export interface Targets { ip: string; owner: string; cidr: string; eni: string; service: string }
export interface Filled { now: Date; historyStart: Date; recentStart: Date; enrichFile: string; targets: Targets }

export async function fillStore(store: FlowStore, dir: string, opts: { recentFlows?: number; historyFlows?: number } = {}): Promise<Filled> {
  // whole minutes: generated times then line up with the per-minute timeline
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const recentStart = new Date(now.getTime() - 2 * HOUR), historyStart = new Date(recentStart.getTime() - 7 * 24 * HOUR);
  await writeInventory(join(dir, 'ipam'), SEED);
  const enrichFile = withOwnershipGap(join(dir, 'ipam'));
  // same seed: the same estate, so one inventory fits both
  await generate({ out: join(dir, 'history'), flows: opts.historyFlows ?? 3000, seed: SEED, start: historyStart, hours: 7 * 24 });
  await generate({ out: join(dir, 'recent'), flows: opts.recentFlows ?? 6000, seed: SEED, start: recentStart, hours: 2 });
  const enrich = await openEnricher(loadEnrichFile(enrichFile), { store });
  try {
    await ingestPath(store, join(dir, 'history'), { enrich });
    await ingestPath(store, join(dir, 'recent'), { enrich });
  } finally { enrich.stop(); }
  await recentGap(store, now);
  const targets = await pickTargets(store, recentStart);
  await writeViolations(store);
  await writeFindings(store, targets, recentStart, now);
  return { now, historyStart, recentStart, enrichFile, targets };
}

/**
 * The demo config minus its rule for the VPC nobody tagged: that VPC's
 * addresses are then ours but nobody's, the gap unowned-internal exists for.
 */
function withOwnershipGap(ipamDir: string): string {
  const doc = parse(readFileSync(join(ipamDir, 'enrich.yaml'), 'utf8')) as { enrich: { ownership: Record<string, string>[] } };
  const before = doc.enrich.ownership.length;
  doc.enrich.ownership = doc.enrich.ownership.filter((r) => !r.vpc);
  if (doc.enrich.ownership.length !== before - 1) throw new Error('fixture: the demo enrich.yaml no longer has one VPC ownership rule');
  const file = join(ipamDir, 'enrich-gap.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

const plain = "replaceOne(toString(a), '::ffff:', '')";

async function pickTargets(store: FlowStore, since: Date): Promise<Targets> {
  const t = since.toISOString().replace('T', ' ').replace('Z', '');
  // the busiest owned internal address of the recent hours, on either side
  const [busy] = await store.queryRows<{ ip: string; owner: string; service: string }>(
    `SELECT ${plain} AS ip, any(o) AS owner, any(s) AS service FROM (
       SELECT src_addr AS a, src_owner AS o, src_service AS s FROM flows WHERE start_time >= {t:DateTime64(3, 'UTC')} AND src_is_internal = 1 AND src_owner IS NOT NULL AND src_class = 'private'
       UNION ALL SELECT dst_addr, dst_owner, dst_service FROM flows WHERE start_time >= {t:DateTime64(3, 'UTC')} AND dst_is_internal = 1 AND dst_owner IS NOT NULL AND dst_class = 'private')
     GROUP BY a ORDER BY count() DESC, ip LIMIT 1`, { t });
  const [eni] = await store.queryRows<{ eni: string }>(
    "SELECT interface_id AS eni FROM flows WHERE start_time >= {t:DateTime64(3, 'UTC')} AND interface_id IS NOT NULL GROUP BY eni ORDER BY count() DESC, eni LIMIT 1", { t });
  const [a, b] = busy!.ip.split('.');
  return { ip: busy!.ip, owner: busy!.owner, service: busy!.service, cidr: `${a}.${b}.0.0/16`, eni: eni!.eni };
}

/**
 * The gap withOwnershipGap opens is the untagged VPC's IPv6 addresses (its IPv4
 * ones are owned through IPAM): a few flows a week, so some minutes' data held
 * none in the last 24 hours and unowned-internal's default window came back
 * empty. Three of them are copied to half an hour before `now`.
 */
async function recentGap(store: FlowStore, now: Date): Promise<void> {
  const at = new Date(now.getTime() - 30 * 60_000).toISOString().replace('T', ' ').replace('Z', '');
  const gap = "(src_is_internal = 1 AND ifNull(src_owner, '') = '') OR (dst_is_internal = 1 AND ifNull(dst_owner, '') = '')";
  const [n] = await store.queryRows<{ n: string }>(`SELECT count() AS n FROM flows WHERE ${gap}`);
  if (Number(n!.n) === 0) throw new Error('fixture: no flow of an unowned internal address was generated');
  await store.queryRows(`INSERT INTO flows SELECT * REPLACE (toDateTime64({at:String}, 3, 'UTC') AS start_time,
      addMilliseconds(toDateTime64({at:String}, 3, 'UTC'), dateDiff('millisecond', start_time, end_time)) AS end_time)
    FROM flows WHERE ${gap} ORDER BY start_time DESC LIMIT 3`, { at });
}

/**
 * What ingest records for a policy with a deny rule (dmz must not reach data)
 * and two alert rules (data calling into dmz; app reaching the cache, which
 * should move to TLS): one row per flagged flow.
 */
async function writeViolations(store: FlowStore): Promise<void> {
  const rule = "multiIf(src_segment = 'dmz', 'dmz-to-data', src_segment = 'data', 'data-to-dmz', 'app-to-cache')";
  await store.queryRows(`INSERT INTO policy_violations
    SELECT start_time, src_addr, dst_addr, src_segment, dst_segment, dst_port, protocol, action,
      if(action = 'ACCEPT', 'breach', 'attempt'), if(src_segment = 'dmz', 'deny', 'alert'), ${rule},
      0, ifNull(bytes, 0), ifNull(packets, 0), ifNull(src_owner, ''), ifNull(dst_owner, ''), source
    FROM flows WHERE (src_segment = 'dmz' AND dst_segment = 'data') OR (src_segment = 'data' AND dst_segment = 'dmz')
      OR (src_segment = 'app' AND dst_segment = 'data' AND dst_port = 6379)`);
}

/** Findings about the targets (by entity, by owner, and one that names the address only in its evidence) and one about nobody here. */
async function writeFindings(store: FlowStore, t: Targets, from: Date, now: Date): Promise<void> {
  const f = (detector: Finding['detector'], entity: string, owner: string | null, severity: Finding['severity'], summary: string, top: Record<string, unknown>[], sql = 'SELECT 1'): Finding => ({
    detector, entity, owner, windowStart: from, windowEnd: now, severity, score: 5, observed: 10, expected: null, unit: 'flows', summary,
    evidence: { topFlows: top, sql }, firstSeen: new Date(from.getTime() + 10 * 60_000), lastSeen: new Date(now.getTime() - 5 * 60_000), status: 'open', labels: {},
  });
  await recordRun(store, 'scan', [
    f('scan', `src=${t.ip}`, t.owner, 'high', `internal scan: ${t.ip} probed 40 ports`, [{ source: t.ip }]),
    f('scan', 'src=198.51.100.77', null, 'low', 'external scan: 198.51.100.77 probed 30 ports', [{ source: '198.51.100.77' }]),
  ], now);
  await recordRun(store, 'egress_spike', [f('egress_spike', `owner=${t.owner}`, t.owner, 'medium', `egress spike: owner ${t.owner} sent 9 GB`, [])], now);
  // the address appears only in the evidence of someone else's finding (a prefix of it must not match: .1 vs .10)
  const other = t.ip.replace(/\.\d+$/, '.1');
  await recordRun(store, 'unusual_port', [f('unusual_port', `${other}:6/4444`, 'nobody', 'low', `unusual port: ${other} opened 25 flows to port 4444`,
    [{ workload: other, peer: t.ip }], `SELECT * FROM flows WHERE src_addr = toIPv6('${other}') AND dst_addr = toIPv6('${t.ip}')`)], now);
}
