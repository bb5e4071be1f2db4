/**
 * One owner's hourly egress against its baseline band, as a standalone SVG
 * string: scales, ticks and paths from d3 (pure functions, no DOM), so the
 * page needs neither JS nor a browser to be drawn.
 */
import { scaleLinear, scaleUtc } from 'd3-scale';
import { area, line } from 'd3-shape';
import { fmtBytes } from './format.js';
import { escapeHtml } from './safe-html.js';
import type { SeriesPoint } from './report-data.js';

const W = 640, H = 190;
const M = { top: 10, right: 14, bottom: 26, left: 64 };

interface P { t: Date; v: number; lo: number | null; hi: number | null }

const num = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function points(series: SeriesPoint[]): P[] {
  return series.map((p) => ({ t: new Date(p.t), v: p.value, lo: num(p.baselineLow), hi: num(p.baselineHigh) }))
    .filter((p) => !Number.isNaN(p.t.getTime()) && Number.isFinite(p.v))
    .sort((a, b) => a.t.getTime() - b.t.getTime());
}

/** Hours above the top of their band: what the eye should find in the chart. */
export function hoursAboveBaseline(series: SeriesPoint[]): number {
  return points(series).filter((p) => p.hi !== null && p.v > p.hi).length;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// midnight ticks name the day, the others the hour, all in UTC like the rest of the report
const timeTick = (d: Date) => (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 ? `${MONTHS[d.getUTCMonth()]} ${pad2(d.getUTCDate())}` : `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`);

const f1 = (n: number) => n.toFixed(1);

/** `null` when there is nothing to draw (the page says so in words instead). */
export function egressChartSvg(owner: string, series: SeriesPoint[], windowStart?: string): string | null {
  const ps = points(series);
  if (ps.length === 0) return null;
  const t0 = ps[0]!.t, t1 = ps[ps.length - 1]!.t;
  const x = scaleUtc().domain(t0.getTime() === t1.getTime() ? [t0, new Date(t0.getTime() + 3_600_000)] : [t0, t1]).range([M.left, W - M.right]);
  const top = Math.max(1, ...ps.map((p) => Math.max(p.v, p.hi ?? 0)));
  const y = scaleLinear().domain([0, top]).nice(4).range([H - M.bottom, M.top]);

  const band = area<P>().defined((p) => p.lo !== null && p.hi !== null)
    .x((p) => x(p.t)).y0((p) => y(p.lo!)).y1((p) => y(p.hi!)).digits(1)(ps) ?? '';
  const path = line<P>().x((p) => x(p.t)).y((p) => y(p.v)).digits(1)(ps) ?? '';
  const above = ps.filter((p) => p.hi !== null && p.v > p.hi);

  const yTicks = y.ticks(4).map((v) => `<g class="tick"><line x1="${M.left}" x2="${W - M.right}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e5e7eb"/>`
    + `<text x="${M.left - 6}" y="${f1(y(v))}" dy="0.32em" text-anchor="end">${escapeHtml(fmtBytes(v))}</text></g>`).join('');
  const xTicks = x.ticks(8).map((d) => `<g class="tick"><line x1="${f1(x(d))}" x2="${f1(x(d))}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}" stroke="#9ca3af"/>`
    + `<text x="${f1(x(d))}" y="${H - M.bottom + 16}" text-anchor="middle">${timeTick(d)}</text></g>`).join('');
  const dots = above.map((p) => `<circle cx="${f1(x(p.t))}" cy="${f1(y(p.v))}" r="3" fill="#dc2626"><title>${escapeHtml(`${timeTick(p.t)} UTC: ${fmtBytes(p.v)}, band up to ${fmtBytes(p.hi!)}`)}</title></circle>`).join('');

  const ws = windowStart ? new Date(windowStart) : null;
  // earlier hours are context; a marker shows where the reported day starts
  const marker = ws && ws > t0 && ws <= t1
    ? `<line class="window-start" x1="${f1(x(ws))}" x2="${f1(x(ws))}" y1="${M.top}" y2="${H - M.bottom}" stroke="#6b7280" stroke-dasharray="3 3"/>` : '';

  const label = `Hourly egress of ${owner}: ${above.length} of ${ps.length} hours above the baseline band`;
  return `<svg class="egress-chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}" font-family="system-ui, sans-serif" font-size="11" fill="#4b5563">`
    + `<title>${escapeHtml(label)}</title>`
    + `<g class="y-axis">${yTicks}</g>`
    + marker
    + `<path class="baseline-band" d="${band}" fill="#93c5fd" fill-opacity="0.45" stroke="none"/>`
    + `<path class="egress-line" d="${path}" fill="none" stroke="#1d4ed8" stroke-width="1.75" stroke-linejoin="round"/>`
    + `<g class="above">${dots}</g>`
    + `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#9ca3af"/>`
    + `<g class="x-axis">${xTicks}</g>`
    + `</svg>`;
}
