/**
 * The report as GitHub-flavoured Markdown, for a wiki page or a chat
 * message: the same sections as the HTML page, tables instead of charts.
 */
import type { Finding } from '../detect/finding.js';
import { hoursAboveBaseline } from './egress-chart.js';
import { bySeverity, countBySeverity, detectorLabel, groupByOwner, incidentKey, isMerged, isOpen, mergedByIncident, SEVERITY_EMOJI, SEVERITY_ORDER, UNOWNED } from './finding-order.js';
import { alertParts, missingLines } from './coverage.js';
import { fmtBytes, fmtCount, fmtHours, fmtPct, fmtAgainstExpected, fmtTime, fmtValue, fmtWindow } from './format.js';
import { mdCode, mdFence, mdTable, mdText } from './markdown-text.js';
import type { ReportData, SeriesPoint } from './report-data.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** The last day's shape in eight levels: enough to see a spike in a chat line. */
function sparkline(points: SeriesPoint[], n = 24): string {
  const v = points.slice(-n).map((p) => p.value).filter(Number.isFinite);
  const max = Math.max(...v, 0);
  return max <= 0 ? '' : v.map((x) => BLOCKS[Math.min(7, Math.floor((x / max) * 7.999))]).join('');
}

function header(d: ReportData): string {
  const open = d.findings.filter(isOpen).length, c = d.changes;
  const alert = alertParts(d.alert);
  return [
    `# ${mdText(d.title)}`,
    ...(alert ? [`> ${alert.level === 'NO DATA' ? '⛔' : '⚠️'} **${alert.level}:** ${mdText(alert.text)}`] : []),
    `**Window:** ${fmtWindow(d.since, d.until)} (${fmtHours(d.since, d.until)}) · generated ${fmtTime(d.generatedAt)}`,
    mdTable(['Open findings', 'Flows', 'Traffic', 'Egress to internet', 'Denied flows', 'Owners'], ['r', 'r', 'r', 'r', 'r', 'r'],
      [[fmtCount(open), fmtCount(d.totals.flows), fmtBytes(d.totals.bytes), fmtBytes(d.totals.egressBytes), fmtCount(d.totals.deniedFlows), fmtCount(d.totals.owners)]]),
    `**${d.comparison.label}:** ${fmtCount(c.newFindings)} new finding${c.newFindings === 1 ? '' : 's'}, ${fmtCount(c.resolved)} resolved · egress ${fmtPct(c.egressChangePct)} · denied flows ${fmtPct(c.deniedChangePct)} (against ${fmtWindow(d.comparison.since, d.comparison.until)})`,
  ].join('\n\n');
}

function labels(l: Record<string, string>): string {
  return Object.keys(l).sort().map((k) => (l[k] === 'learning' ? `⚠️ learning ${mdText(k)}` : `${mdText(k)}: ${mdText(l[k]!)}`)).join(' · ');
}

function finding(f: Finding, merged: ReadonlyMap<string, Finding[]> = new Map()): string {
  const also = merged.get(incidentKey(f)) ?? [];
  return [
    `#### ${SEVERITY_EMOJI[f.severity]} ${detectorLabel(f.detector)} · ${mdText(f.owner ?? UNOWNED)}${isOpen(f) ? '' : ` (${f.status})`}`,
    `> ${mdText(f.summary)}`,
    [
      `- **Observed:** **${fmtValue(f.observed, f.unit)}**${fmtAgainstExpected(f.observed, f.expected, f.unit)}`,
      `- **Window:** ${fmtWindow(f.windowStart, f.windowEnd)} (${fmtHours(f.windowStart, f.windowEnd)})`,
      `- **First / last seen:** ${fmtTime(f.firstSeen)} / ${fmtTime(f.lastSeen)}`,
      `- **Entity:** ${mdCode(f.entity)} (score ${f.score})`,
      ...(Object.keys(f.labels).length ? [`- **Labels:** ${labels(f.labels)}`] : []),
      ...(also.length ? [`- **Same incident, seen by other detectors:**`, ...also.map((x) => `  - ${detectorLabel(x.detector)}: ${mdText(x.summary)}`)] : []),
    ].join('\n'),
    `<details><summary>Evidence query</summary>\n\n${mdFence(f.evidence.sql, 'sql')}\n\n</details>`,
  ].join('\n\n');
}

function findings(all: Finding[], noData: boolean): string {
  const merged = mergedByIncident(all);
  const sorted = [...all].sort(bySeverity), open = sorted.filter(isOpen), closed = sorted.filter((f) => !isOpen(f) && !isMerged(f));
  const closedPart = closed.length ? [`### Resolved and suppressed (${closed.length})`, ...closed.map((f) => finding(f, merged))] : [];
  if (open.length === 0 && noData) return ['## Findings', 'No open findings, and no flows to find them in: see NO DATA above.', ...closedPart].join('\n\n');
  if (open.length === 0) {
    return ['## Findings', '✅ **No open findings in this window.** Traffic stayed within its baselines and policies; nothing needs your attention this morning.', ...closedPart].join('\n\n');
  }
  const counts = countBySeverity(open);
  const owners = groupByOwner(open).map((g) => {
    const c = countBySeverity(g.findings);
    return [mdText(g.owner), ...SEVERITY_ORDER.map((s) => (c[s] ? String(c[s]) : '')), `**${g.findings.length}**`];
  });
  return [
    `## Findings (${open.length} open)`,
    SEVERITY_ORDER.map((s) => `${SEVERITY_EMOJI[s]} ${s} **${counts[s]}**`).join(' · '),
    '### By owner',
    mdTable(['Owner', ...SEVERITY_ORDER.map((s) => `${SEVERITY_EMOJI[s]} ${s}`), 'Total'], ['l', 'r', 'r', 'r', 'r', 'r', 'r'], owners),
    '### By severity',
    ...open.map((f) => finding(f, merged)),
    ...closedPart,
  ].join('\n\n');
}

function egress(e: ReportData['egress']): string {
  if (e.length === 0) return '## Egress by owner\n\nNo owner sent traffic to public addresses in this window.';
  const rows = e.map((o) => {
    const total = o.points.reduce((a, p) => a + (Number.isFinite(p.value) ? p.value : 0), 0);
    const peak = Math.max(0, ...o.points.map((p) => p.value).filter(Number.isFinite));
    return [mdText(o.owner), fmtBytes(total), fmtBytes(peak), String(hoursAboveBaseline(o.points)), sparkline(o.points)];
  });
  return ['## Egress by owner', mdTable(['Owner', 'Egress', 'Peak hour', 'Hours above baseline', 'Last 24 h'], ['l', 'r', 'r', 'r', 'l'], rows)].join('\n\n');
}

function violations(v: ReportData['violations']): string {
  const hot = v.cells.filter((c) => c.breaches > 0 || c.attempts > 0).sort((a, b) => b.breaches - a.breaches || b.attempts - a.attempts);
  const body = v.segments.length === 0 ? 'No segment traffic in this window: no flows crossed between policy segments.'
    : hot.length === 0 ? '✅ No policy breaches or attempts between segments.'
      : `Breaches are flows accepted against policy; attempts are flows the policy rejected.\n\n${mdTable(['From', 'To', 'Breaches', 'Attempts', 'Flows'], ['l', 'l', 'r', 'r', 'r'],
        hot.map((c) => [mdText(c.from), mdText(c.to), c.breaches ? `**${fmtCount(c.breaches)}**` : '0', fmtCount(c.attempts), fmtCount(c.flows)]))}`;
  return `## Segment violations\n\n${body}`;
}

function talkers(t: ReportData['topTalkers']): string {
  if (t.length === 0) return '## Top talkers\n\nNo traffic in this window.';
  return ['## Top talkers', mdTable(['#', 'Address', 'Owner', 'Bytes', 'Flows', 'Peers'], ['r', 'l', 'l', 'r', 'r', 'r'],
    t.map((x, i) => [String(i + 1), mdCode(x.address), x.owner === null ? '–' : mdText(x.owner), fmtBytes(x.bytes), fmtCount(x.flows), fmtCount(x.peers)]))].join('\n\n');
}

/** Hours with flows as blocks, silent hours as a dot, so a gap shows in a chat line too. */
function hourStrip(perHour: number[]): string {
  const max = Math.max(0, ...perHour);
  return perHour.map((x) => (x <= 0 ? '·' : BLOCKS[Math.min(7, Math.floor((x / max) * 7.999))])).join('');
}

function coverage(d: ReportData): string {
  const c = d.coverage, n = c.hours.length;
  const newest = `**Newest stored flow:** ${c.newestFlow ? fmtTime(c.newestFlow) : 'none in the 30 days before the window ends'}`;
  if (c.sources.length === 0) return ['## Data coverage', newest, 'No source sent flows in this window or the one before it.'].join('\n\n');
  const lines = c.sources.map((s) => `- **${mdText(s.source)}**: ${fmtCount(s.flows)} flows · ${n - s.gaps.reduce((a, g) => a + g.hours, 0)}/${n} hours with data · newest ${s.newest ? fmtTime(s.newest) : 'none in the window'}${n ? ` · \`${hourStrip(s.perHour)}\`` : ''}`);
  const missing = missingLines(c);
  return ['## Data coverage', newest, `Flows per source per complete hour of the window (a dot is an hour without flows):\n\n${lines.join('\n')}`,
    ...(missing.length ? [`**Gaps:**\n\n${missing.map((m) => `- ${mdText(m)}`).join('\n')}`] : [])].join('\n\n');
}

export function renderMarkdown(d: ReportData): string {
  return `${[header(d), findings(d.findings, d.coverage.status === 'none'), egress(d.egress), violations(d.violations), talkers(d.topTalkers), coverage(d)].join('\n\n')}\n`;
}
