/**
 * What `flowlog investigate X` is about. X is read by its shape (an address, a
 * CIDR, an interface id) or by an explicit `owner:` / `service:` prefix; a bare
 * word is looked up as an owner, then as a service, and the answer says which
 * it was, because "api" the owner and "api" the service are different incidents.
 */
import { formatIp, parseIpText } from '../core/ip.js';
import { FlowlogError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import { formatCidr, parseCidr } from '../enrich/lookup/cidr.js';
import type { FlowStore } from '../store/store.js';
import { chTime, type TimeWindow } from './time-window.js';

export type TargetKind = 'ip' | 'cidr' | 'eni' | 'owner' | 'service';

/** An inclusive address range as text the engine parses as IPv6 (IPv4 stays dotted, the engine maps it). */
export interface AddrRange { lo: string; hi: string }

export interface Target {
  kind: TargetKind;
  input: string;
  /** Canonical form: the address, the CIDR, the interface id, the owner or service name. */
  value: string;
  /** The addresses it covers: ip and cidr themselves, an interface its addresses; none for owner and service. */
  ranges: AddrRange[];
  /** One sentence on how the input was read and what "its flows" means here. */
  interpretation: string;
  /** Things the reader should know (a name nobody uses, an interface without a known address). */
  notes: string[];
}

export const TARGET_HELP = 'give an address (10.0.1.10, 2001:db8::5), a CIDR (10.0.0.0/16), an interface id (eni-0a1b2c...), owner:NAME or service:NAME';

const ENI = /^eni-[0-9a-f]{8,17}$/i;

function rangeOf(net: Uint8Array, len: number): AddrRange {
  const hi = net.slice(0, 16);
  for (let bit = len; bit < 128; bit++) hi[bit >> 3]! |= 0x80 >> (bit & 7);
  return { lo: formatIp(net, 0), hi: formatIp(hi, 0) };
}

/** The syntax alone: no store needed, so a typo fails before the engine starts. */
export function parseTarget(input: string): { kind: TargetKind | 'word'; value: string } {
  const s = input.trim();
  if (!s) throw new FlowlogError('USAGE', 'no target given', TARGET_HELP);
  const prefixed = /^(owner|service):(.*)$/i.exec(s);
  if (prefixed) {
    const name = prefixed[2]!.trim();
    if (!name) throw new FlowlogError('USAGE', `"${s}" names no ${prefixed[1]!.toLowerCase()}`, TARGET_HELP);
    return { kind: prefixed[1]!.toLowerCase() as 'owner' | 'service', value: name };
  }
  if (ENI.test(s)) return { kind: 'eni', value: s.toLowerCase() };
  if (s.includes('/')) {
    const c = parseCidr(s);
    if (!c.ok) throw new FlowlogError('USAGE', `"${s}" is not a CIDR: ${c.error}`, TARGET_HELP);
    return { kind: 'cidr', value: formatCidr(c.net, c.len) };
  }
  const ip = parseIpText(s);
  if (ip) return { kind: 'ip', value: formatIp(ip, 0) };
  if (/^[0-9.:]+$/.test(s) || /^[0-9a-f]*:[0-9a-f:]*$/i.test(s)) throw new FlowlogError('USAGE', `"${s}" looks like an address but is not a valid one`, TARGET_HELP);
  if (/^eni-/i.test(s)) throw new FlowlogError('USAGE', `"${s}" is not an interface id (eni- and 8 or 17 hex digits)`, TARGET_HELP);
  if (!/^[\w.@-]+$/.test(s)) throw new FlowlogError('USAGE', `"${s}" is not an address, CIDR, interface id or name`, TARGET_HELP);
  return { kind: 'word', value: s };
}

async function nameKnown(store: FlowStore, column: 'owner' | 'service', name: string, w: TimeWindow): Promise<boolean> {
  const inIpam = await store.queryRows(`SELECT 1 FROM ipam_current WHERE ${column} = {n:String} LIMIT 1`, { n: name });
  if (inIpam.length) return true;
  // provider services (S3) and ownership rules may name what no IPAM entry does
  const inFlows = await store.queryRows(
    `SELECT 1 FROM flows WHERE start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
       AND (src_${column} = {n:String} OR dst_${column} = {n:String}) LIMIT 1`,
    { n: name, since: chTime(w.since), until: chTime(w.until) });
  return inFlows.length > 0;
}

async function knownNames(store: FlowStore, column: 'owner' | 'service'): Promise<string> {
  const rows = await store.queryRows<{ n: string }>(`SELECT DISTINCT ${column} AS n FROM ipam_current WHERE ${column} != '' ORDER BY n LIMIT 30`);
  // IPAM text quoted into a note or an error message: made one safe line here, where it is still one value
  return rows.length ? rows.map((r) => safeText(r.n, 100)).join(', ') : '(the IPAM names none)';
}

/** The interface's addresses: from the IPAM (inventory knows them), else the address on every one of its flows. */
async function eniAddresses(store: FlowStore, eni: string, w: TimeWindow): Promise<{ addrs: string[]; from: 'IPAM' | 'flows' | null }> {
  const ipam = await store.queryRows<{ prefix: string }>('SELECT prefix FROM ipam_current WHERE lower(eni) = {e:String} ORDER BY prefix', { e: eni });
  const hosts = ipam.map((r) => r.prefix).filter((p) => /\/(32|128)$/.test(p)).map((p) => p.replace(/\/\d+$/, ''));
  if (hosts.length) return { addrs: hosts, from: 'IPAM' };
  const seen = await store.queryRows<{ a: string }>(
    `SELECT replaceOne(toString(a), '::ffff:', '') AS a FROM (
       SELECT arrayJoin([src_addr, dst_addr]) AS a FROM flows
       WHERE start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')} AND interface_id = {e:String})
     WHERE a IS NOT NULL GROUP BY a ORDER BY count() DESC, a LIMIT 1`,
    { e: eni, since: chTime(w.since), until: chTime(w.until) });
  return seen.length ? { addrs: [seen[0]!.a], from: 'flows' } : { addrs: [], from: null };
}

export async function resolveTarget(store: FlowStore, input: string, w: TimeWindow): Promise<Target> {
  const p = parseTarget(input);
  const base = { input, value: p.value, notes: [] as string[] };
  switch (p.kind) {
    case 'ip': {
      const c = parseCidr(p.value);
      if (!c.ok) throw new FlowlogError('USAGE', c.error, TARGET_HELP);
      return { ...base, kind: 'ip', ranges: [rangeOf(c.net, 128)], interpretation: `address ${p.value}: flows with it as source or destination` };
    }
    case 'cidr': {
      const c = parseCidr(p.value);
      if (!c.ok) throw new FlowlogError('USAGE', c.error, TARGET_HELP);
      const r = rangeOf(c.net, c.len);
      if (p.value !== input.trim()) base.notes.push(`${input.trim()} has host bits set: read as ${p.value}`);
      return { ...base, kind: 'cidr', ranges: [r], interpretation: `network ${p.value} (${r.lo} to ${r.hi}): flows with a source or destination inside it; a flow inside it counts once, as sent` };
    }
    case 'eni': {
      const { addrs, from } = await eniAddresses(store, p.value, w);
      if (!from) base.notes.push(`no IPAM entry or flow in the window gives ${p.value} an address: which side of its flows it was on is unknown (all counted as received)`);
      const where = from ? `; its address${addrs.length > 1 ? 'es' : ''} ${addrs.join(', ')} (from ${from}) decide${addrs.length > 1 ? '' : 's'} sent vs received` : '';
      return { ...base, kind: 'eni', ranges: addrs.map((a) => ({ lo: a, hi: a })), interpretation: `network interface ${p.value}: the flows its flow log recorded (interface_id)${where}` };
    }
    case 'owner':
    case 'service': {
      if (!(await nameKnown(store, p.kind, p.value, w))) base.notes.push(`no IPAM entry or flow in the window names ${p.kind} "${p.value}"; known ${p.kind}s: ${await knownNames(store, p.kind)}`);
      return { ...base, kind: p.kind, ranges: [], interpretation: `${p.kind} ${p.value}: flows whose source or destination has ${p.kind} "${p.value}" (enriched at ingest); a flow within it counts once, as sent` };
    }
    case 'word': {
      for (const kind of ['owner', 'service'] as const) {
        if (await nameKnown(store, kind, p.value, w)) {
          return { ...base, kind, ranges: [], interpretation: `"${p.value}" read as ${kind} ${p.value} (no prefix given; owners are tried before services): flows whose source or destination has ${kind} "${p.value}"; a flow within it counts once, as sent` };
        }
      }
      throw new FlowlogError('USAGE', `"${p.value}" is not an address, CIDR or interface id, and no owner or service of that name is in the IPAM or the window's flows`,
        `${TARGET_HELP}. Known owners: ${await knownNames(store, 'owner')}. Known services: ${await knownNames(store, 'service')}`);
    }
  }
}
