/**
 * The obvious evaluator, for the property test: per flow, walk the segments
 * in order for each side, then the rules in order. No compilation, no
 * matrix; the IPAM entry of an address is the model's answer (as the
 * enricher's ids are).
 */
import { ANY, UNSEGMENTED, type Policy } from '../../../../schemas/policy.js';
import { parseIpText } from '../../../core/ip.js';
import type { IpamModel } from '../../model.js';
import { parseCidr } from '../../lookup/cidr.js';

function inCidr(addr: Uint8Array, cidr: string): boolean {
  const c = parseCidr(cidr);
  if (!c.ok) throw new Error(c.error);
  for (let bit = 0; bit < c.len; bit++) {
    const m = 0x80 >> (bit % 8);
    if ((addr[bit >> 3]! & m) !== (c.net[bit >> 3]! & m)) return false;
  }
  return true;
}

export function referenceSegment(policy: Policy, model: IpamModel, addr: string): string {
  const ip = parseIpText(addr)!;
  const id = model.table.lookup(ip, 0);
  const e = id >= 0 ? model.entries[id]! : null;
  for (const s of policy.segments) {
    if (s.kind === 'cidrs') {
      if (s.cidrs.some((c) => inCidr(ip, c))) return s.name;
      continue;
    }
    if (!e) continue;
    if (s.internal !== null && e.internal !== s.internal) continue;
    const ok = Object.entries(s.match).every(([k, vs]) => {
      const v = k.startsWith('tags.') ? e.tags[k.slice(5)] : (e.attrs as Record<string, string | undefined>)[k];
      return v !== undefined && vs.includes(v);
    });
    if (ok) return s.name;
  }
  return UNSEGMENTED;
}

/** The deciding rule's index (-1: the default) and the decision. */
export function referenceDecision(policy: Policy, src: string, dst: string, proto: number | null, port: number | null): { rule: number; decision: string } {
  const rule = policy.rules.findIndex((r) =>
    (r.from.includes(ANY) || r.from.includes(src)) &&
    (r.to.includes(ANY) || r.to.includes(dst)) &&
    (r.protocol === null || r.protocol === proto) &&
    (r.ports === null || (port !== null && r.ports.some(([lo, hi]) => port >= lo && port <= hi))));
  return { rule, decision: rule >= 0 ? policy.rules[rule]!.action : policy.default };
}
