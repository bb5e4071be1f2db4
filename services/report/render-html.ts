/**
 * The morning report as one self-contained HTML page: inline CSS, inline
 * SVG charts, no script and no external request (a CSP forbids both, so a
 * mail client or an archived copy shows exactly what was rendered).
 */
import { alertParts, missingLines } from './coverage.js';
import { isOpen } from './finding-order.js';
import { fmtBytes, fmtCount, fmtHours, fmtPct, fmtTime, fmtWindow } from './format.js';
import { egressSection } from './html-egress.js';
import { findingsSection } from './html-findings.js';
import { CSS } from './html-style.js';
import { html, trusted, type Html } from './safe-html.js';
import { violationMatrix } from './violation-matrix.js';
import type { ReportData } from './report-data.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** More egress or more denied flows is worth a look, so up is red. */
function change(p: number | null): Html {
  const cls = p === null || Math.abs(p) < 0.05 ? 'flat' : p > 0 ? 'up' : 'down';
  return html`<span class="${cls}">${fmtPct(p)}</span>`;
}

function header(d: ReportData): Html {
  const open = d.findings.filter(isOpen).length;
  const c = d.changes;
  const alert = alertParts(d.alert), noData = d.coverage.status === 'none';
  const tile = (k: string, v: string, extra = '', testid = '') => html`<div class="tile ${extra}"${testid ? html` data-testid="${testid}"` : ''}><div class="k">${k}</div><div class="v">${v}</div></div>`;
  return html`<header>
<h1>${d.title}</h1>
${alert ? html`<div class="data-alert ${alert.level === 'NO DATA' ? 'none' : 'partial'}" role="alert" data-testid="data-alert"><b>${alert.level}</b> ${alert.text}</div>` : ''}
<div class="meta">${fmtWindow(d.since, d.until)} (${fmtHours(d.since, d.until)}) · generated ${fmtTime(d.generatedAt)}</div>
<nav><a href="#findings">Findings</a><a href="#egress">Egress</a><a href="#segments">Segments</a><a href="#talkers">Top talkers</a><a href="#coverage">Data coverage</a></nav>
<div class="tiles">
${tile('Open findings', fmtCount(open), open > 0 ? 'alert' : noData ? '' : 'ok', 'open-findings')}
${tile('Flows', fmtCount(d.totals.flows))}
${tile('Traffic', fmtBytes(d.totals.bytes))}
${tile('Egress to internet', fmtBytes(d.totals.egressBytes))}
${tile('Denied flows', fmtCount(d.totals.deniedFlows))}
${tile('Owners', fmtCount(d.totals.owners))}
</div>
<p class="changes" data-testid="changes"><b>${d.comparison.label}:</b>
${fmtCount(c.newFindings)} new finding${c.newFindings === 1 ? '' : 's'}, ${fmtCount(c.resolved)} resolved ·
egress ${change(c.egressChangePct)} · denied flows ${change(c.deniedChangePct)} <small>(against ${fmtWindow(d.comparison.since, d.comparison.until)})</small></p>
</header>`;
}

function talkersSection(t: ReportData['topTalkers']): Html {
  const max = Math.max(1, ...t.map((x) => x.bytes));
  const body = t.length === 0 ? html`<p class="empty">No traffic in this window.</p>` : html`<div class="scroll"><table class="talkers">
<thead><tr><th>#</th><th>Address</th><th>Owner</th><th class="num">Bytes</th><th></th><th class="num">Flows</th><th class="num">Peers</th></tr></thead>
<tbody>${t.map((x, i) => html`<tr><td class="num">${i + 1}</td><td><code>${x.address}</code></td><td class="owner">${x.owner ?? '–'}</td>
<td class="num">${fmtBytes(x.bytes)}</td><td style="width:160px"><div class="bar" style="${`width:${((x.bytes / max) * 100).toFixed(1)}%`}"></div></td>
<td class="num">${fmtCount(x.flows)}</td><td class="num">${fmtCount(x.peers)}</td></tr>`)}</tbody></table></div>`;
  return html`<section id="talkers"><h2>Top talkers</h2>${body}</section>`;
}

function coverageSection(d: ReportData): Html {
  const c = d.coverage, n = c.hours.length;
  const newest = html`<p data-testid="newest-flow">Newest stored flow: <b>${c.newestFlow ? fmtTime(c.newestFlow) : 'none in the 30 days before the window ends'}</b></p>`;
  const cell = (x: number, max: number) => html`<td class="${x > 0 ? 'hour' : 'hour gap'}" title="${fmtCount(x)} flows" style="${x > 0 ? `opacity:${(0.35 + 0.65 * (x / max)).toFixed(2)}` : ''}"></td>`;
  const body = c.sources.length === 0 ? html`<p class="empty">No source sent flows in this window or the one before it.</p>` : html`<div class="scroll"><table class="coverage">
<thead><tr><th>Source</th><th class="num">Flows</th><th>Newest flow</th><th class="num">Hours with data</th>${n ? html`<th colspan="${n}">Flows per hour (${n} complete hours)</th>` : ''}</tr></thead>
<tbody>${c.sources.map((s) => {
    const max = Math.max(1, ...s.perHour);
    return html`<tr><td><code>${s.source}</code></td><td class="num">${fmtCount(s.flows)}</td><td>${s.newest ? fmtTime(s.newest) : '–'}</td>
<td class="num">${n - s.gaps.reduce((a, g) => a + g.hours, 0)}/${n}</td>${s.perHour.map((x) => cell(x, max))}</tr>`;
  })}</tbody></table></div>`;
  const missing = missingLines(c);
  return html`<section id="coverage"><h2>Data coverage</h2>${newest}${body}${missing.length ? html`<ul class="gaps">${missing.map((m) => html`<li>${m}</li>`)}</ul>` : ''}</section>`;
}

export function renderHtml(d: ReportData): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="flowlog">
<title>${d.title}</title>
<style>${trusted(CSS)}</style></head>
<body><main>
${header(d)}
${findingsSection(d.findings, d.coverage.status === 'none')}
${egressSection(d.egress, d.since)}
<section id="segments"><h2>Segment violations</h2>${violationMatrix(d.violations)}</section>
${talkersSection(d.topTalkers)}
${coverageSection(d)}
<footer>flowlog anomaly report · ${fmtWindow(d.since, d.until)} · all times UTC · every finding's evidence query runs as is against the flows table</footer>
</main></body></html>
`.value;
}
