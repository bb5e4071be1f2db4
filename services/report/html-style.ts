/** The page's only stylesheet, inlined so the report is one self-contained file. */
export const SEVERITY_COLOURS = {
  critical: { bg: '#7f1d1d', fg: '#ffffff' },
  high: { bg: '#dc2626', fg: '#ffffff' },
  medium: { bg: '#f59e0b', fg: '#111827' },
  low: { bg: '#fde68a', fg: '#111827' },
  info: { bg: '#e5e7eb', fg: '#374151' },
} as const;

export const CSS = `
:root { color-scheme: light; --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --card:#ffffff; --bg:#f6f7f9; --accent:#1d4ed8; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
.meta, .hint, small { color: var(--muted); }
.hint { font-size: 13px; margin: 4px 0 10px; }
nav { font-size: 14px; margin: 10px 0 0; } nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 18px 0 10px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.tile .k { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.tile .v { font-size: 22px; font-weight: 650; }
.tile.alert { border-color: #fca5a5; background: #fef2f2; } .tile.ok { border-color: #86efac; background: #f0fdf4; }
.changes { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.up { color: #b91c1c; font-weight: 600; } .down { color: #047857; font-weight: 600; } .flat { color: var(--muted); }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 6px; padding: 0 7px; font-size: 12px; color: #374151; background: #f9fafb; margin: 2px 4px 2px 0; }
.chip.warn { border-color: #fcd34d; background: #fffbeb; color: #92400e; }
.owner { font-weight: 600; }
.sev-strip { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.finding { background: var(--card); border: 1px solid var(--line); border-left-width: 6px; border-radius: 10px; padding: 12px 16px; margin: 10px 0; }
.finding.closed { opacity: .72; }
.finding header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.finding .summary { font-size: 16px; font-weight: 600; margin: 6px 0 8px; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; font-size: 14px; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--accent); font-size: 14px; }
pre { background: #0f172a; color: #e2e8f0; padding: 10px 12px; border-radius: 8px; overflow-x: auto; font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; background: var(--card); font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.empty, .calm { background: var(--card); border: 1px dashed var(--line); border-radius: 10px; padding: 16px; color: var(--muted); }
.calm { border: 1px solid #86efac; background: #f0fdf4; color: #166534; font-size: 16px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 14px; }
figure.chart { margin: 0; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.chart h3 { margin: 0 0 2px; overflow-wrap: anywhere; } .chart p { margin: 0 0 6px; font-size: 13px; color: var(--muted); }
.chart svg { width: 100%; height: auto; display: block; }
.legend { font-size: 13px; color: var(--muted); display: flex; gap: 18px; flex-wrap: wrap; margin-bottom: 8px; }
.swatch { display: inline-block; width: 18px; height: 10px; vertical-align: middle; margin-right: 5px; border-radius: 2px; }
.matrix td.cell { text-align: center; min-width: 86px; font-variant-numeric: tabular-nums; }
.matrix td.cell small { display: block; font-size: 11px; color: inherit; opacity: .75; }
.matrix td.none, .matrix td.clean { color: #c0c4cc !important; } .matrix td.attempts-only { box-shadow: inset 0 0 0 2px #fcd34d; }
.matrix .sep { margin: 0 3px; opacity: .6; } .matrix .corner { color: var(--muted); font-weight: 400; font-size: 12px; }
.legend-scale { display: flex; align-items: center; gap: 8px; font-size: 12px; color: var(--muted); margin-top: 8px; }
.legend-scale .ramp { width: 180px; height: 10px; border-radius: 3px; border: 1px solid var(--line); }
.bar { height: 8px; background: #93c5fd; border-radius: 4px; min-width: 2px; }
.data-alert { border-radius: 10px; padding: 14px 16px; margin: 12px 0; font-size: 16px; border: 2px solid; }
.data-alert.none { background: #7f1d1d; border-color: #7f1d1d; color: #ffffff; } .data-alert.partial { background: #fffbeb; border-color: #f59e0b; color: #78350f; }
.data-alert b { margin-right: 8px; letter-spacing: .04em; }
table.coverage td.hour { width: 10px; min-width: 10px; padding: 0; background: #1d4ed8; border-color: #ffffff; } table.coverage td.gap { background: #fca5a5; opacity: 1; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@media print { body { background: #fff; } details { display: block; } }
`;
