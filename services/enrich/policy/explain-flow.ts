/**
 * One hypothetical flow through the policy, with the reasons: which segment
 * each address lands in and why (the CIDR, or the IPAM prefix and the
 * attribute values that matched), which rule decides, and what would be
 * recorded. The same arrays as evaluateBatch, read one flow at a time.
 */
import type { Attrs, IpamModel } from '../model.js';
import type { CompiledPolicy } from './compile.js';
import { criteriaText, portsText, protocolText } from './explain.js';
import { DECISION_NAMES, decide, outcomeDecision, outcomeRule } from './matrix.js';
import type { ViolationKind } from './violations.js';

export interface FlowQuery {
  /** 16 bytes each (parseIpText). */
  src: Uint8Array;
  dst: Uint8Array;
  /** null: the flow has none (port or protocol rules then do not match). */
  port: number | null;
  protocol: number | null;
}

export interface SideExplanation {
  segment: string;
  /** How the segment was decided. */
  via: 'cidr' | 'attributes' | 'none';
  why: string;
  /** The IPAM prefix the address falls in, with its resolved attributes. */
  ipam_prefix: string | null;
  attributes: Attrs;
  internal: boolean | null;
  /** The CIDR-segment prefix that decided, when via = cidr. */
  cidr: string | null;
}

export interface FlowExplanation {
  src: SideExplanation;
  dst: SideExplanation;
  /** null when no rule matched and the default decided. */
  rule: string | null;
  rule_text: string;
  decision: 'allow' | 'deny' | 'alert';
  /** What policy_violations would record for each network action (nothing when allowed). */
  recorded: { ACCEPT: ViolationKind | null; REJECT: ViolationKind | null };
  observe: boolean;
}

function side(p: CompiledPolicy, model: IpamModel, addr: Uint8Array): SideExplanation {
  const id = model.table.lookup(addr, 0);
  const e = id >= 0 ? model.entries[id]! : null;
  const bySeg = p.entrySegment[id + 1]!;
  let cid = p.cidr.table ? p.cidr.table.lookup(addr, 0) : -1;
  const byCidr = p.cidr.segment[cid + 1]!;
  const base = { ipam_prefix: e?.cidr ?? null, attributes: e?.attrs ?? {}, internal: e?.internal ?? null };
  if (byCidr < bySeg) {
    // the deciding CIDR is the containing one with the earliest segment
    while (p.cidr.prefixes[cid]!.segment !== byCidr) cid = p.cidr.table!.parents[cid]!;
    const name = p.segmentNames[byCidr]!;
    return { ...base, segment: name, via: 'cidr', why: `in ${p.cidr.prefixes[cid]!.cidr} (cidrs of ${name})`, cidr: p.cidr.prefixes[cid]!.cidr };
  }
  const s = p.segments[bySeg];
  if (!s || s.kind !== 'attributes' || !e) {
    const attrs = e ? Object.entries(e.attrs).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    return { ...base, segment: p.segmentNames[p.unsegmented]!, via: 'none', cidr: null,
      why: `no segment matches (${e ? `IPAM ${e.cidr}: ${attrs || 'no attributes'}, internal=${e.internal}` : 'in no IPAM prefix'})` };
  }
  const got = Object.keys(s.match).map((k) => `${k}=${k.startsWith('tags.') ? e.tags[k.slice(5)] : e.attrs[k as keyof Attrs]}`);
  if (s.internal !== null) got.push(`internal=${e.internal}`);
  return { ...base, segment: s.name, via: 'attributes', cidr: null, why: `IPAM ${e.cidr} has ${got.join(' ')} (segment ${s.name}: ${criteriaText(s)})` };
}

export function explainFlow(p: CompiledPolicy, model: IpamModel, q: FlowQuery): FlowExplanation {
  const src = side(p, model, q.src), dst = side(p, model, q.dst);
  const o = decide(p.matrix, p.segmentNames.indexOf(src.segment), p.segmentNames.indexOf(dst.segment), q.protocol ?? -1, q.port ?? -1);
  const r = outcomeRule(o), decision = DECISION_NAMES[outcomeDecision(o)]!;
  const rule = r >= 0 ? p.rules[r]! : null;
  const flagged = decision !== 'allow';
  return {
    src, dst, rule: rule?.name ?? null, decision, observe: p.mode === 'observe',
    rule_text: rule
      ? `rule ${r + 1} ${rule.name}: from ${rule.from.join(',')} to ${rule.to.join(',')}, protocol ${protocolText(rule.protocol)}, ports ${portsText(rule.ports) ?? 'any'} -> ${rule.action}`
      : `no rule matches ${src.segment} -> ${dst.segment}${q.port !== null ? ` ${protocolText(q.protocol)}/${q.port}` : ''}: the default, ${decision}`,
    recorded: { ACCEPT: flagged ? 'breach' : null, REJECT: flagged ? 'attempt' : null },
  };
}
