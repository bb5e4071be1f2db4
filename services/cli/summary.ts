/** What a person sees after an ingest: the numbers, what stands out, and what to try next. */
import type { IngestSummary } from '../pipeline/ingest.js';
import type { FlowStore } from '../store/store.js';
import { safeText } from '../core/safe-text.js';
import { fmtBytes } from '../core/byte-size.js';
import { fmtInt } from './progress.js';
import { queryTable } from './result-table.js';
import { chTime } from '../store/ch-time.js';

/** A span's end to the second, as people read it and as SQL takes it back: '2026-12-01 00:05:09'. */
const fmtSpanEnd = (d: Date): string => chTime(d).slice(0, 19);

/** How the hints name flowlog from a checkout: -s keeps npm's banner off stdout, so a `--format json` hint pipes into jq. */
export const NPM_INVOCATION = 'npm run -s flowlog --';

// IPv4 is stored IPv4-mapped; show it the way people write it.
export const ADDR = (col: string): string => `replaceOne(toString(${col}), '::ffff:', '')`;

/**
 * The summary's queries, over the flows whose start_time is in `span` (the run's own window: reading the whole
 * store after every ingest grew with the store, ~5-6 s at 20M flows) or over every flow when there is none.
 * The window is the run's first and last flow, so it may hold other runs' flows of the same hours too.
 */
export function summaryQueries(span?: { from: Date; to: Date }) {
  const inSpan = span ? `start_time BETWEEN toDateTime64('${chTime(span.from)}', 3, 'UTC') AND toDateTime64('${chTime(span.to)}', 3, 'UTC')` : '1';
  return {
    count: `SELECT count() AS total FROM flows WHERE ${inSpan}`,
    byType: `SELECT provider, log_type, count() AS flows, formatReadableDecimalSize(sum(ifNull(bytes, 0))) AS bytes,
        countIf(action = 'REJECT') AS denied, countIf(log_status != 'OK') AS nodata_skipdata
      FROM flows WHERE ${inSpan} GROUP BY provider, log_type ORDER BY provider, log_type`,
    // The top rows first, then their distinct peers: uniqExact for every address of a 20M-flow store held ~250 MB.
    // GLOBAL: on a cluster the picking runs once, over every shard; transform_null_in: a NULL address is a row too.
    topTalkers: `WITH picked AS (SELECT src_addr FROM flows WHERE log_status = 'OK' AND ${inSpan} GROUP BY src_addr ORDER BY sum(bytes) DESC, src_addr LIMIT 5)
      SELECT ${ADDR('src_addr')} AS source, formatReadableDecimalSize(sum(bytes)) AS sent, count() AS flows,
        uniqExact(dst_addr) AS peers, any(account_id) AS account
      FROM flows WHERE log_status = 'OK' AND ${inSpan} AND src_addr GLOBAL IN picked GROUP BY src_addr ORDER BY sum(bytes) DESC, src_addr
      SETTINGS transform_null_in = 1`,
    topDenied: `WITH picked AS (SELECT src_addr, dst_port FROM flows WHERE action = 'REJECT' AND ${inSpan} GROUP BY src_addr, dst_port ORDER BY count() DESC, src_addr, dst_port LIMIT 5)
      SELECT ${ADDR('src_addr')} AS source, dst_port, any(protocol) AS proto, count() AS denied_flows,
        uniqExact(dst_addr) AS targets
      FROM flows WHERE action = 'REJECT' AND ${inSpan} AND (src_addr, dst_port) GLOBAL IN picked GROUP BY src_addr, dst_port ORDER BY denied_flows DESC, src_addr, dst_port
      SETTINGS transform_null_in = 1`,
    egressByOwner: `SELECT ifNull(src_owner, '(no owner)') AS owner, formatReadableDecimalSize(sum(bytes)) AS to_internet, count() AS flows,
        uniqExact(dst_addr) AS destinations, arrayStringConcat(topKIf(3)(dst_service, dst_service IS NOT NULL), ', ') AS top_services
      FROM flows WHERE egress = 1 AND ${inSpan} GROUP BY owner ORDER BY sum(bytes) DESC LIMIT 8`,
    segments: `SELECT ifNull(src_segment, '-') AS from_segment, ifNull(dst_segment, '-') AS to_segment, count() AS flows,
        formatReadableDecimalSize(sum(ifNull(bytes, 0))) AS bytes, countIf(action = 'REJECT') AS denied
      FROM flows WHERE (src_segment IS NOT NULL OR dst_segment IS NOT NULL) AND ${inSpan} GROUP BY from_segment, to_segment ORDER BY flows DESC LIMIT 10`,
    // the quarantine is small, and its rows carry no flow time: all of it
    quarantine: `SELECT reason, count() AS records, any(replaceRegexpOne(source, '^.*/', '')) AS example_object, any(position) AS at
      FROM flows_rejected GROUP BY reason ORDER BY records DESC`,
  };
}

export async function printIngestSummary(store: FlowStore, s: IngestSummary, invocation: string): Promise<void> {
  const out = (x: string) => process.stdout.write(`${x}\n`);
  const rate = s.seconds > 0 ? s.rows / s.seconds : 0;
  out('');
  if (s.objects === 0 && s.skipped > 0) {
    out(`Nothing new: all ${fmtInt(s.skipped)} objects are already in the ingest ledger.`);
  } else {
    out(`Ingested ${fmtInt(s.rows)} flows from ${fmtInt(s.objects)} objects (${fmtBytes(s.bytes)}) in ${s.seconds.toFixed(1)} s: ${fmtInt(rate)} flows/s.`);
    if (s.skipped > 0) out(`Skipped ${fmtInt(s.skipped)} objects already in the ingest ledger${s.resumed ? `, resumed ${s.resumed} interrupted ones` : ''}.`);
  }
  out(`Quarantined ${fmtInt(s.rejected)} bad records${s.rejected ? ` (see: ${invocation} sql "SELECT * FROM flows_rejected LIMIT 10")` : ''}.`);
  for (const w of s.warnings) out(`warning ${safeText(w)}`);
  const [{ total } = { total: '0' }] = await store.queryRows<{ total: string }>('SELECT count() AS total FROM flows');
  out(`The store now holds ${fmtInt(Number(total))} flows.`);
  const span = s.flowsSpan;
  const q = summaryQueries(span);
  if (span) {
    const [{ total: inSpan } = { total: '0' }] = await store.queryRows<{ total: string }>(q.count);
    out(`Below: the ${fmtInt(Number(inSpan))} flows from ${fmtSpanEnd(span.from)} to ${fmtSpanEnd(span.to)} UTC, the times this ingest's flows span` +
      `${Number(inSpan) > s.rows ? ' (with the other flows the store holds for those times)' : ''}.`);
  } else {
    out('Below: every flow in the store (this ingest stored none).');
  }
  out('\nFlows by source type:');
  out(await queryTable(store, q.byType));
  out('Top talkers (bytes sent):');
  out(await queryTable(store, q.topTalkers));
  out('Top denied (source, port):');
  out(await queryTable(store, q.topDenied));
  const egress = await queryTable(store, q.egressByOwner);
  if (egress.trim()) { out('Egress to the internet, by owner:'); out(egress); }
  const segments = await queryTable(store, q.segments);
  if (segments.trim()) { out('Traffic between segments:'); out(segments); }
  const quarantine = await queryTable(store, q.quarantine);
  if (quarantine.trim()) { out('Quarantine by reason (all of it):'); out(quarantine); }
}

/**
 * What to try next, printed last so it is what a person sees when the command ends. `address` and `since`:
 * an address the data holds and a window that reaches it, for the examples (generic ones otherwise).
 */
export function printNextSteps(invocation: string, opts: { enrichFile?: string; findings?: boolean; address?: string; since?: string } = {}): void {
  const out = (x: string) => process.stdout.write(`${x}\n`);
  out('\nNext:');
  out(`  ${invocation} sql "SELECT action, count() FROM flows GROUP BY action"`);
  out(`  ${invocation} sql "SELECT minute, sum(bytes) FROM flows_1m GROUP BY minute ORDER BY minute DESC LIMIT 10"`);
  out(`  ${invocation} sql "SELECT * FROM flows WHERE src_addr = toIPv6('${opts.address ?? '10.0.1.10'}') LIMIT 5" --format json`);
  out(`  ${invocation} sql --list-saved       # saved queries for the common security questions`);
  out(`  ${invocation} ingest PATH            # your own flow logs (AWS text/gzip, Azure JSON)`);
  out(`  ${invocation} parse FILE | head      # see how a file parses, without storing`);
  if (opts.findings) {
    out(`  ${invocation} investigate ${opts.address ?? '10.10.11.40'} --since ${opts.since ?? '3d'}     # everything about one address (the demo's biggest egress spike)`);
    out(`  ${invocation} sql "SELECT severity, detector, summary, evidence_sql FROM anomalies_current WHERE status = 'open' LIMIT 5" --format json`);
  }
  if (opts.enrichFile) {
    out(`  ${invocation} ipam check --enrich ${opts.enrichFile}     # what the IPAM sources disagree on`);
    out(`  ${invocation} ipam lookup 10.10.0.5 --enrich ${opts.enrichFile}   # what an address gets`);
  }
}
