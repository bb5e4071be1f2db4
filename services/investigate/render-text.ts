/** An investigation as a person reads it in a terminal: sections top-down, the timeline as sparklines. */
import { safeDeep } from '../core/safe-text.js';
import type { Investigation } from './investigate.js';
import { fmtBytes } from '../core/byte-size.js';
import { count, fold, portText, sparkline, table } from './text-format.js';

const hhmm = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const seconds = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 19).replace('T', ' '));
const R = (...i: number[]) => new Set(i);

function summaryLines(x: Investigation): string[] {
  const s = x.summary;
  const share = s.estate.share_of_flows === null ? '' : ` · ${(s.estate.share_of_flows * 100).toFixed(1)}% of the estate's ${count(s.estate.flows)} flows`;
  const out = [
    'SUMMARY',
    `  flows ${count(s.flows)} (sent ${count(s.flows_sent)}, received ${count(s.flows_received)}) · bytes out ${fmtBytes(s.bytes_out)}, in ${fmtBytes(s.bytes_in)} · accepted ${count(s.accepted)}, denied ${count(s.denied)}`,
    `  peers ${count(s.peers)} · active addresses ${count(s.addresses)} · first seen ${seconds(s.first_seen)} · last seen ${seconds(s.last_seen)}${share}`,
  ];
  const enriched = Object.entries(s.enrichment).filter(([, v]) => v.length).map(([k, v]) => `${k} ${v.join('|')}`);
  if (enriched.length) out.push(`  enriched as: ${enriched.join(' · ')}`);
  if (s.addresses > 1) out.push(`  busiest addresses: ${s.top_addresses.map((a) => `${a.address} (${count(a.flows)})`).join(', ')}`);
  out.push('', `IPAM (ipam_current: ${x.ipam.total} ${x.target.kind === 'owner' || x.target.kind === 'service' ? `entries naming this ${x.target.kind}, widest first` : 'entries overlapping, most specific first'})`);
  if (x.ipam.entries.length === 0) out.push('  none');
  else {
    out.push(...table(['prefix', 'name', 'owner', 'service', 'env', 'segment', 'vpc', 'subnet', 'eni'],
      x.ipam.entries.slice(0, 8).map((e) => [e.prefix, e.name, e.owner, e.service, e.env, e.segment, e.vpc, e.subnet, e.eni])));
    if (x.ipam.total > 8) out.push(`  ... ${x.ipam.total - 8} more (--format json lists up to 20)`);
  }
  return out;
}

function peerLines(x: Investigation): string[] {
  if (!x.peers.length) return ['TOP PEERS', '  none'];
  return [`TOP PEERS (by bytes both ways; ${count(x.summary.peers)} in all)`,
    ...table(['peer', 'owner', 'service', 'class', 'segment', 'flows', 'out', 'in', 'denied'],
      x.peers.map((p) => [p.peer, p.owner, p.service, p.class, p.segment, count(p.flows), fmtBytes(p.bytes_out), fmtBytes(p.bytes_in), count(p.denied)]), R(5, 6, 7, 8))];
}

function portLines(x: Investigation): string[] {
  const list = (ps: Investigation['ports']['connects_to'], who: string) =>
    (ps.length ? ps.map((p) => `${portText(p.port, p.protocol)} ${count(p.flows)} (${p.peers} ${who})`).join(' · ') : 'none');
  return ['PORTS (the lower port of a flow taken as the service)',
    `  connects to: ${list(x.ports.connects_to, 'peers')}`,
    `  listening:   ${list(x.ports.listening, 'clients')}`];
}

function deniedLines(x: Investigation): string[] {
  const d = x.denied;
  const out = [`DENIED ${count(d.flows)} flows (${count(d.inbound)} inbound, ${count(d.outbound)} outbound)`];
  if (!d.flows) return out;
  out.push(...table(['peer', 'direction', 'owner', 'class', 'flows', 'ports'], d.top_peers.map((p) => [p.peer, p.direction, p.owner, p.class, count(p.flows), p.ports]), R(4, 5)));
  out.push(`  ports: ${d.top_ports.map((p) => `${portText(p.port, p.protocol)} ${p.direction} ${count(p.flows)}`).join(' · ')}`);
  return out;
}

function anomalyLines(x: Investigation): string[] {
  if (!x.anomalies.length) return ['ANOMALIES none in the window'];
  return [`ANOMALIES ${x.anomalies.length}`,
    ...table(['severity', 'detector', 'status', 'why', 'entity', 'summary'],
      x.anomalies.map((a) => [a.severity, a.detector, a.status, a.match, a.entity, a.summary.length > 90 ? `${a.summary.slice(0, 89)}…` : a.summary]))];
}

function violationLines(x: Investigation): string[] {
  const v = x.violations;
  if (!v.flows) return ['SEGMENTATION VIOLATIONS none in the window'];
  return [`SEGMENTATION VIOLATIONS ${count(v.flows)} (${count(v.breaches)} breaches, ${count(v.attempts)} attempts)`,
    ...table(['direction', 'from', 'to', 'kind', 'rule', 'decision', 'flows', 'peers', 'ports', 'last seen'],
      v.groups.map((g) => [g.direction, g.src_segment, g.dst_segment, g.kind, g.rule, g.decision, count(g.flows), g.peers, g.ports.join(','), seconds(g.last_seen)]), R(6, 7))];
}

function timelineLines(x: Investigation): string[] {
  const p = x.timeline.points;
  const step = x.timeline.bucket_seconds;
  const per = Math.max(1, Math.ceil(p.length / 150)); // two hours still draw one minute per character
  const unit = step * per >= 3600 ? `${(step * per) / 3600} h` : `${(step * per) / 60} min`;
  const row = (name: string, vals: number[], fmt: (n: number) => string) => {
    const f = fold(vals, per);
    return `  ${name.padEnd(6)} |${sparkline(f)}| max ${fmt(Math.max(0, ...f))} per ${unit}`;
  };
  return [`TIMELINE one character per ${unit}, ${hhmm(x.window.since)} to ${hhmm(x.window.until)} UTC`,
    row('flows', p.map((q) => q.flows), count), row('bytes', p.map((q) => q.bytes), fmtBytes), row('denied', p.map((q) => q.denied), count)];
}

export function renderText(raw: Investigation): string {
  // every string in it (targets, IPAM values, segments, rules, summaries) shown, never obeyed by the terminal
  const x = safeDeep(raw);
  const head = [`flowlog investigate ${x.target.input}   ${hhmm(x.window.since)} to ${hhmm(x.window.until)} UTC`,
    `target: ${x.target.interpretation}`, ...x.target.notes.map((n) => `note: ${n}`)];
  const sections = [head, summaryLines(x), peerLines(x), portLines(x), deniedLines(x), anomalyLines(x), violationLines(x), timelineLines(x)];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
