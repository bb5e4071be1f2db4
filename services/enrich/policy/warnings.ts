/**
 * What is legal but almost certainly not meant: a rule naming a segment that
 * does not exist (that part never matches: a typo there silently disables a
 * deny), a rule an earlier one always decides first, a segment that gets no
 * address under this IPAM. `flowlog policy check` exits 1 on any of them.
 */
import type { IpamModel } from '../model.js';
import type { CompiledPolicy } from './compile.js';
import { samePrefix, segmentMatcher } from './segments.js';

export type WarningKind = 'unknown-segment' | 'shadowed-rule' | 'empty-segment';
export interface PolicyWarning { kind: WarningKind; message: string; rule?: string; segment?: string }

type Compiled = Omit<CompiledPolicy, 'warnings'>;

export interface SegmentStats {
  /** IPAM prefixes whose attributes match the segment's criteria. */
  matched: number;
  /** Of those, the prefixes it gets (no earlier segment took them). */
  assigned: number;
}

/** Per segment id (unsegmented last): how many IPAM prefixes it matches and gets; CIDR segments get 0/0. */
export function segmentStats(p: Compiled, model: IpamModel): SegmentStats[] {
  const stats = p.segmentNames.map(() => ({ matched: 0, assigned: 0 }));
  for (let i = 0; i < model.entries.length; i++) stats[p.entrySegment[i + 1]!]!.assigned++;
  p.segments.forEach((s, id) => {
    if (s.kind !== 'attributes') return;
    const match = segmentMatcher(s);
    for (const e of model.entries) if (match(e)) stats[id]!.matched++;
  });
  stats[p.unsegmented]!.matched = stats[p.unsegmented]!.assigned;
  return stats;
}

export function policyWarnings(p: Compiled, model: IpamModel): PolicyWarning[] {
  const out: PolicyWarning[] = [];
  const defined = p.segmentNames.slice(0, -1).join(', ');
  for (const u of p.matrix.unknown) {
    const r = p.rules[u.rule]!;
    const whole = p.matrix.unknown.filter((x) => x.rule === u.rule && x.side === u.side).length === r[u.side].length;
    out.push({ kind: 'unknown-segment', rule: r.name, segment: u.name,
      message: `rule ${r.name}: ${u.side} "${u.name}" is no segment, so ${whole ? 'the rule never matches' : 'that part never matches'} (segments: ${defined}; or any, unsegmented)` });
  }
  p.matrix.shadowedBy.forEach((by, i) => {
    if (by < 0) return;
    const r = p.rules[i]!, e = p.rules[by]!;
    out.push({ kind: 'shadowed-rule', rule: r.name,
      message: `rule ${r.name} is never reached: ${e.name} (earlier, ${e.ports || e.protocol !== null ? 'same or wider ports/protocol' : 'every port and protocol'}) decides every flow it would match; move it up or remove it` });
  });
  const stats = segmentStats(p, model);
  p.segments.forEach((s, id) => {
    if (s.kind === 'attributes') {
      const st = stats[id]!;
      if (st.assigned > 0) return;
      out.push({ kind: 'empty-segment', segment: s.name, message: st.matched === 0
        ? `segment ${s.name} matches no IPAM prefix (check the attribute values against \`flowlog ipam lookup\`)`
        : `segment ${s.name}: its ${st.matched} matching prefix(es) all fall in earlier segments; move it up if it should win` });
    } else if (cidrSegmentLost(p, model, id)) {
      out.push({ kind: 'empty-segment', segment: s.name, message: `segment ${s.name}: every address of its CIDRs falls in an earlier segment; move it up if it should win` });
    }
  });
  return out;
}

/**
 * True when no address of the segment's CIDRs can end in it: each CIDR lies
 * inside an earlier CIDR segment, or inside an IPAM prefix of an earlier
 * segment with every prefix nested in the CIDR earlier too. Conservative: a
 * CIDR only partly covered counts as reachable.
 */
function cidrSegmentLost(p: Compiled, model: IpamModel, id: number): boolean {
  const own = p.cidr.prefixes.filter((c) => c.segment === id);
  return own.every((c) => {
    if (p.cidr.prefixes.some((o) => o.segment < id && o.len <= c.len && samePrefix(o.net, c.net, o.len))) return true;
    let e = model.table.lookup(c.net, 0);
    while (e >= 0 && model.entries[e]!.len > c.len) e = model.entries[e]!.parent;
    if (p.entrySegment[e + 1]! >= id) return false;
    return model.entries.every((x, i) => x.len <= c.len || !samePrefix(x.net, c.net, c.len) || p.entrySegment[i + 1]! < id);
  });
}
