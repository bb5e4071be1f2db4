/** Egress per owner against its baseline band: one SVG chart per owner. */
import { egressChartSvg, hoursAboveBaseline } from './egress-chart.js';
import { fmtBytes, fmtHours } from './format.js';
import { html, trusted, type Html } from './safe-html.js';
import type { ReportData } from './report-data.js';

function stats(points: ReportData['egress'][number]['points']): string {
  if (points.length === 0) return 'no data';
  const total = points.reduce((a, p) => a + (Number.isFinite(p.value) ? p.value : 0), 0);
  const peak = points.reduce((a, p) => (p.value > a.value ? p : a), points[0]!);
  const span = fmtHours(points[0]!.t, new Date(new Date(points[points.length - 1]!.t).getTime() + 3_600_000));
  return `${fmtBytes(total)} in ${span} · peak ${fmtBytes(peak.value)}/h at ${new Date(peak.t).toISOString().slice(5, 16).replace('T', ' ')} UTC · ${hoursAboveBaseline(points)} h above baseline`;
}

export function egressSection(egress: ReportData['egress'], windowStart: string): Html {
  const body = egress.length === 0
    ? html`<p class="empty">No owner sent traffic to public addresses in this window.</p>`
    : html`<div class="legend"><span><span class="swatch" style="background:#1d4ed8;height:3px"></span>egress per hour</span>
<span><span class="swatch" style="background:#93c5fd"></span>baseline band (expected range)</span>
<span><span class="swatch" style="background:#dc2626;width:8px;height:8px;border-radius:50%"></span>hour above the band</span>
<span>¦ start of the report window (hours before it are context)</span></div>
<div class="charts">${egress.map((e) => {
      const svg = egressChartSvg(e.owner, e.points, windowStart);
      return html`<figure class="chart"><h3>${e.owner}</h3><p>${stats(e.points)}</p>${svg ? trusted(svg) : html`<p class="empty">No egress from this owner in the window.</p>`}</figure>`;
    })}</div>`;
  return html`<section id="egress"><h2>Egress by owner</h2>${body}</section>`;
}
