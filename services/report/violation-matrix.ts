/**
 * The segment x segment matrix as an HTML table: numbers stay selectable
 * and readable in any mail client, and the cell colour (d3's OrRd scale on
 * breaches) makes the worst pairs stand out.
 */
import { scaleSequentialSqrt } from 'd3-scale';
import { interpolateOrRd } from 'd3-scale-chromatic';
import { fmtCount } from './format.js';
import { html, type Html } from './safe-html.js';
import type { ReportData } from './report-data.js';

type Cell = ReportData['violations']['cells'][number];

/** Luminance of d3's "rgb(r, g, b)", to pick a text colour that stays readable on it. */
function isDark(rgb: string): boolean {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 140;
}

export function violationMatrix(v: ReportData['violations']): Html {
  if (v.segments.length === 0) {
    return html`<p class="empty">No segment traffic in this window: no flows crossed between policy segments.</p>`;
  }
  const cell = new Map<string, Cell>(v.cells.map((c) => [`${c.from}\u0000${c.to}`, c]));
  const maxBreaches = Math.max(0, ...v.cells.map((c) => c.breaches));
  // sqrt: one breach must already be visible next to a pair with hundreds
  const colour = scaleSequentialSqrt(interpolateOrRd).domain([0, Math.max(1, maxBreaches)]);
  const totalB = v.cells.reduce((a, c) => a + c.breaches, 0), totalA = v.cells.reduce((a, c) => a + c.attempts, 0);

  const td = (from: string, to: string) => {
    const c = cell.get(`${from}\u0000${to}`);
    if (!c || (c.flows === 0 && c.breaches === 0 && c.attempts === 0)) return html`<td class="cell none" title="${`${from} → ${to}: no flows`}">·</td>`;
    const bg = c.breaches > 0 ? colour(c.breaches) : null;
    const style = bg ? `background:${bg};color:${isDark(bg) ? '#ffffff' : '#111827'}` : 'color:#6b7280';
    const title = `${from} → ${to}: ${fmtCount(c.breaches)} breaches (accepted against policy), ${fmtCount(c.attempts)} attempts (rejected) of ${fmtCount(c.flows)} flows`;
    return html`<td class="cell${c.breaches > 0 ? '' : c.attempts > 0 ? ' attempts-only' : ' clean'}" style="${style}" title="${title}"><b>${fmtCount(c.breaches)}</b><span class="sep">/</span>${fmtCount(c.attempts)}<small>${fmtCount(c.flows)} flows</small></td>`;
  };

  return html`
<p class="hint">Rows: from, columns: to. Each cell: <b>breaches</b> (flows accepted against policy) / attempts (flows the policy rejected), and all flows between the pair.
Colour scales with breaches (max ${fmtCount(maxBreaches)}).</p>
${totalB + totalA === 0 ? html`<p class="calm">No policy breaches or attempts between segments. ✓</p>` : ''}
<div class="scroll"><table class="matrix">
<thead><tr><th class="corner">from ↓ to →</th>${v.segments.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody>${v.segments.map((from) => html`<tr><th scope="row">${from}</th>${v.segments.map((to) => td(from, to))}</tr>`)}</tbody>
</table></div>
<div class="legend-scale"><span>0</span><span class="ramp" style="background:linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => colour(t * t * Math.max(1, maxBreaches))).join(', ')})"></span><span>${fmtCount(maxBreaches)} breaches</span></div>`;
}
