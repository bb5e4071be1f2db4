/** The findings part of the HTML report: counts, cards by severity, a table by owner. */
import type { Finding, Severity } from '../detect/finding.js';
import { bySeverity, countBySeverity, detectorLabel, groupByOwner, incidentKey, isMerged, isOpen, mergedByIncident, SEVERITY_ORDER, UNOWNED } from './finding-order.js';
import { fmtBytes, fmtCount, fmtHours, fmtAgainstExpected, fmtTime, fmtValue, fmtWindow } from './format.js';
import { SEVERITY_COLOURS } from './html-style.js';
import { html, type Html } from './safe-html.js';

export function severityBadge(s: Severity, count?: number): Html {
  const c = SEVERITY_COLOURS[s];
  return html`<span class="badge sev-${s}" style="background:${c.bg};color:${c.fg}">${s}${count === undefined ? '' : ` ${count}`}</span>`;
}

/** Labels worth a second look (a baseline still learning) stand out from plain facts. */
function labelChips(labels: Record<string, string>): Html[] {
  return Object.keys(labels).sort().map((k) => {
    const v = labels[k]!;
    return v === 'learning' ? html`<span class="chip warn" title="${`${k}: ${v}`}">learning ${k}</span>` : html`<span class="chip">${k}: ${v}</span>`;
  });
}

function cellText(key: string, v: unknown): string {
  if (typeof v === 'number') return /bytes?$/i.test(key) ? fmtBytes(v) : fmtCount(v);
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function topFlowsTable(rows: Record<string, unknown>[]): Html | '' {
  if (rows.length === 0) return '';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return html`<div class="scroll"><table class="top-flows"><thead><tr>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${cols.map((c) => html`<td class="${typeof r[c] === 'number' ? 'num' : ''}">${cellText(c, r[c])}</td>`)}</tr>`)}</tbody></table></div>`;
}

function card(f: Finding, id: string, merged: ReadonlyMap<string, Finding[]>): Html {
  const colour = SEVERITY_COLOURS[f.severity].bg;
  const also = merged.get(incidentKey(f)) ?? [];
  return html`<article class="finding${isOpen(f) ? '' : ' closed'}" id="${id}" style="border-left-color:${colour}">
<header>${severityBadge(f.severity)}<span class="detector">${detectorLabel(f.detector)}</span><span class="owner">${f.owner ?? UNOWNED}</span>
${isOpen(f) ? '' : html`<span class="chip">${f.status}</span>`}${labelChips(f.labels)}</header>
<p class="summary">${f.summary}</p>
<dl class="facts">
<dt>Observed</dt><dd><b>${fmtValue(f.observed, f.unit)}</b>${fmtAgainstExpected(f.observed, f.expected, f.unit)}</dd>
<dt>Window</dt><dd>${fmtWindow(f.windowStart, f.windowEnd)} (${fmtHours(f.windowStart, f.windowEnd)})</dd>
<dt>First seen</dt><dd>${fmtTime(f.firstSeen)}</dd>
<dt>Last seen</dt><dd>${fmtTime(f.lastSeen)}</dd>
<dt>Entity</dt><dd><code>${f.entity}</code> · score ${f.score}</dd>
${also.length ? html`<dt>Same incident</dt><dd><ul class="related">${also.map((x) => html`<li>${detectorLabel(x.detector)}: ${x.summary}</li>`)}</ul></dd>` : ''}
</dl>
<details><summary>Evidence: the flows behind it${f.evidence.topFlows.length ? ` (top ${f.evidence.topFlows.length})` : ''} and the query to see them all</summary>
${topFlowsTable(f.evidence.topFlows)}
<pre><code class="language-sql">${f.evidence.sql}</code></pre>
</details>
</article>`;
}

function ownerTable(open: Finding[], ids: Map<Finding, string>): Html {
  const groups = groupByOwner(open);
  return html`<div class="scroll"><table class="by-owner"><thead><tr><th>Owner</th>${SEVERITY_ORDER.map((s) => html`<th class="num">${severityBadge(s)}</th>`)}<th class="num">Total</th><th>Worst finding</th></tr></thead>
<tbody>${groups.map((g) => {
    const c = countBySeverity(g.findings), worst = g.findings[0]!;
    return html`<tr><td class="owner">${g.owner}</td>${SEVERITY_ORDER.map((s) => html`<td class="num">${c[s] || ''}</td>`)}<td class="num"><b>${g.findings.length}</b></td>
<td><a href="${`#${ids.get(worst)}`}">${worst.summary}</a></td></tr>`;
  })}</tbody></table></div>`;
}

export function findingsSection(findings: Finding[], noData = false): Html {
  const merged = mergedByIncident(findings);
  const sorted = [...findings].filter((f) => !isMerged(f)).sort(bySeverity);
  const ids = new Map(sorted.map((f, i) => [f, `finding-${i + 1}`]));
  const open = sorted.filter(isOpen), closed = sorted.filter((f) => !isOpen(f));
  const counts = countBySeverity(open);
  const closedPart = closed.length === 0 ? '' : html`<h3>Resolved and suppressed (${closed.length})</h3>
<p class="hint">No action needed; kept here so that yesterday's alerts can be followed up.</p>${closed.map((f) => card(f, ids.get(f)!, merged))}`;

  if (open.length === 0 && noData) {
    return html`<section id="findings"><h2>Findings</h2>
<p class="empty" data-testid="no-findings">No open findings, and no flows to find them in: see NO DATA above.</p>
${closedPart}</section>`;
  }
  if (open.length === 0) {
    return html`<section id="findings"><h2>Findings</h2>
<p class="calm" data-testid="no-findings">No open findings in this window. Traffic stayed within its baselines and policies; nothing needs your attention this morning.</p>
${closedPart}</section>`;
  }
  return html`<section id="findings"><h2>Findings <small>(${open.length} open)</small></h2>
<div class="sev-strip">${SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => severityBadge(s, counts[s]))}</div>
<h3 id="by-owner">By owner</h3>
${ownerTable(open, ids)}
<h3 id="by-severity">By severity</h3>
${SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => html`<h3 class="sev-heading">${severityBadge(s)} ${counts[s]} ${s} finding${counts[s] === 1 ? '' : 's'}</h3>
${open.filter((f) => f.severity === s).map((f) => card(f, ids.get(f)!, merged))}`)}
${closedPart}</section>`;
}

