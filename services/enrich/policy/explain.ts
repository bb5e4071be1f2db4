/**
 * What a compiled policy will do, for a person: its segments (and how much
 * of the IPAM each gets), its rules in order, the whole decision matrix, and
 * the warnings. `flowlog policy check` prints it.
 */
import { PROTOCOLS, type RuleDef, type SegmentDef } from '../../../schemas/policy.js';
import { displayWidth, padDisplay, safeDeep, safeText } from '../../core/safe-text.js';
import type { IpamModel } from '../model.js';
import type { CompiledPolicy } from './compile.js';
import { DECISION_NAMES, outcomeDecision, outcomeRule } from './matrix.js';
import { segmentStats, type PolicyWarning } from './warnings.js';

export interface PolicyExplanation {
  mode: CompiledPolicy['mode'];
  default: CompiledPolicy['defaultDecision'];
  ipam_version: string;
  segments: { name: string; kind: SegmentDef['kind'] | 'unsegmented'; criteria: string; prefixes: number; matched: number }[];
  rules: { name: string; from: string[]; to: string[]; protocol: string; ports: string | null; action: RuleDef['action']; shadowed_by: string | null }[];
  /** cells[from][to]: allow | deny | alert, or "ports/<fallback>" when port/protocol rules come first (see conditional). */
  matrix: { segments: string[]; cells: string[][] };
  /** The port/protocol-dependent cells, one entry per distinct list: its rules in order, then what decides otherwise. */
  conditional: { pairs: [string, string][]; rules: string[]; otherwise: string }[];
  warnings: PolicyWarning[];
}

const PROTO_NAMES = new Map(Object.entries(PROTOCOLS).map(([k, v]) => [v, k]));
export const protocolText = (p: number | null): string => (p === null ? 'any' : PROTO_NAMES.get(p) ?? String(p));
export const portsText = (ports: RuleDef['ports']): string | null => ports?.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',') ?? null;

export function criteriaText(s: SegmentDef): string {
  if (s.kind === 'cidrs') return `cidrs ${s.cidrs.join(', ')}`;
  const parts = Object.entries(s.match).map(([k, vs]) => `${k}=${vs.join('|')}`);
  if (s.internal !== null) parts.push(`internal=${s.internal}`);
  return parts.join(' ');
}

/** "allow (rule pci-db)" / "deny (default)" */
function outcomeText(p: CompiledPolicy, o: number): string {
  const r = outcomeRule(o);
  return `${DECISION_NAMES[outcomeDecision(o)]} (${r >= 0 ? `rule ${p.rules[r]!.name}` : 'default'})`;
}

export function explainPolicy(p: CompiledPolicy, model: IpamModel): PolicyExplanation {
  const stats = segmentStats(p, model);
  const m = p.matrix, names = p.segmentNames;
  const conditional: PolicyExplanation['conditional'] = [];
  const byList = new Map<number, PolicyExplanation['conditional'][number]>();
  const cells = names.map((from, f) => names.map((to, t) => {
    const c = m.cells[f * m.size + t]!;
    if (c >= 0) return DECISION_NAMES[outcomeDecision(c)]!;
    const l = ~c, fallback = m.listFallback[l]!;
    let entry = byList.get(l);
    if (!entry) {
      const rules: string[] = [];
      for (let i = m.listStart[l]!; i < m.listStart[l + 1]!; i++) {
        const r = p.rules[m.listRules[i]!]!;
        rules.push(`${protocolText(r.protocol)}${r.ports ? `/${portsText(r.ports)}` : ''} ${r.action} (rule ${r.name})`);
      }
      byList.set(l, (entry = { pairs: [], rules, otherwise: outcomeText(p, fallback) }));
      conditional.push(entry);
    }
    entry.pairs.push([from, to]);
    return `ports/${DECISION_NAMES[outcomeDecision(fallback)]}`;
  }));
  return {
    mode: p.mode, default: p.defaultDecision, ipam_version: p.ipamVersion,
    segments: names.map((name, id) => {
      const s = p.segments[id];
      return { name, kind: s ? s.kind : 'unsegmented', criteria: s ? criteriaText(s) : 'matching no segment', prefixes: stats[id]!.assigned, matched: stats[id]!.matched };
    }),
    rules: p.rules.map((r, i) => ({
      name: r.name, from: r.from, to: r.to, protocol: protocolText(r.protocol), ports: portsText(r.ports), action: r.action,
      shadowed_by: m.shadowedBy[i]! >= 0 ? p.rules[m.shadowedBy[i]!]!.name : null,
    })),
    matrix: { segments: [...names], cells },
    conditional,
    warnings: [...p.warnings],
  };
}

/** "a -> b, any -> c": a destination every source shares the list for reads as any. */
function pairsText(pairs: [string, string][], all: string[]): string {
  const byTo = new Map<string, string[]>();
  for (const [f, t] of pairs) byTo.set(t, [...(byTo.get(t) ?? []), f]);
  return [...byTo].map(([t, fs]) => `${fs.length === all.length ? 'any' : fs.join(',')} -> ${t}`).join(', ');
}

function table(rows: string[][]): string[] {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => displayWidth(r[c]!))));
  return rows.map((r) => r.map((x, c) => padDisplay(x, w[c]!)).join('  ').trimEnd());
}

/** The explanation as text; `prefixCounts` false when no IPAM was given (counts would only reflect the built-in classes). */
export function formatExplanation(raw: PolicyExplanation, rawFile: string, prefixCounts: boolean): string {
  // names, criteria and warnings quote the policy file and IPAM values: shown, never obeyed by the terminal
  const e = safeDeep(raw), file = safeText(rawFile);
  const lines = [`Policy ${file}: mode ${e.mode}${e.mode === 'observe' ? ' (decisions recorded with observe=1, nothing alerts)' : ''}, default ${e.default}, ${e.segments.length - 1} segments, ${e.rules.length} rules`];
  lines.push('', 'Segments (first match wins, top to bottom):');
  lines.push(...table([
    ['  #', 'segment', 'matches', ...(prefixCounts ? ['IPAM prefixes'] : [])],
    ...e.segments.map((s, i) => [s.kind === 'unsegmented' ? '  -' : `  ${i + 1}`, s.name, s.criteria, ...(prefixCounts ? [s.kind === 'cidrs' ? '-' : `${s.prefixes}${s.matched > s.prefixes ? ` (of ${s.matched} matching)` : ''}`] : [])]),
  ]));
  if (!prefixCounts) lines.push('  (pass --enrich FILE to count the IPAM prefixes each segment gets)');
  lines.push('', 'Rules (first match wins):');
  if (e.rules.length === 0) lines.push('  (none: every pair gets the default)');
  else {
    lines.push(...table([
      ['  #', 'name', 'from', 'to', 'protocol', 'ports', 'action', ''],
      ...e.rules.map((r, i) => [`  ${i + 1}`, r.name, r.from.join(','), r.to.join(','), r.protocol, r.ports ?? 'any', r.action, r.shadowed_by ? `never reached (${r.shadowed_by} first)` : '']),
    ]));
  }
  lines.push('', 'Decisions (rows: from, columns: to):');
  lines.push(...table([['  from \\ to', ...e.matrix.segments], ...e.matrix.segments.map((f, i) => [`  ${f}`, ...e.matrix.cells[i]!])]));
  if (e.conditional.length) {
    lines.push('', 'ports/X: port or protocol rules first, in order, otherwise X:');
    for (const c of e.conditional) lines.push(`  ${pairsText(c.pairs, e.matrix.segments)}: ${c.rules.join('; ')}; otherwise ${c.otherwise}`);
  }
  lines.push('', e.warnings.length ? `Warnings (${e.warnings.length}):` : 'No warnings.');
  for (const w of e.warnings) lines.push(`  ${w.kind}: ${w.message}`);
  return lines.join('\n');
}
