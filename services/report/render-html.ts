/**
 * The morning report as one self-contained HTML page: inline CSS, inline
 * SVG charts, no script and no external request (a CSP forbids both, so a
 * mail client or an archived copy shows exactly what was rendered).
 */
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
  const tile = (k: string, v: string, extra = '', testid = '') => html`<div class="tile ${extra}"${testid ? html` data-testid="${testid}"` : ''}><div class="k">${k}</div><div class="v">${v}</div></div>`;
  return html`<header>
<h1>${d.title}</h1>
<div class="meta">${fmtWindow(d.since, d.until)} (${fmtHours(d.since, d.until)}) · generated ${fmtTime(d.generatedAt)}</div>
<nav><a href="#findings">Findings</a><a href="#egress">Egress</a><a href="#segments">Segments</a><a href="#talkers">Top talkers</a></nav>
<div class="tiles">
${tile('Open findings', fmtCount(open), open > 0 ? 'alert' : 'ok', 'open-findings')}
${tile('Flows', fmtCount(d.totals.flows))}
${tile('Traffic', fmtBytes(d.totals.bytes))}
${tile('Egress to internet', fmtBytes(d.totals.egressBytes))}
${tile('Denied flows', fmtCount(d.totals.deniedFlows))}
${tile('Owners', fmtCount(d.totals.owners))}
</div>
<p class="changes" data-testid="changes"><b>Since yesterday:</b>
${fmtCount(c.newFindings)} new finding${c.newFindings === 1 ? '' : 's'}, ${fmtCount(c.resolved)} resolved ·
egress ${change(c.egressChangePct)} · denied flows ${change(c.deniedChangePct)}</p>
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
${findingsSection(d.findings)}
${egressSection(d.egress, d.since)}
<section id="segments"><h2>Segment violations</h2>${violationMatrix(d.violations)}</section>
${talkersSection(d.topTalkers)}
<footer>flowlog anomaly report · ${fmtWindow(d.since, d.until)} · all times UTC · every finding's evidence query runs as is against the flows table</footer>
</main></body></html>
`.value;
}
