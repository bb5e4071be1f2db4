/**
 * Malformed AWS lines an ingest must reject (and count) without losing the
 * good lines around them. Each starts from a plausible record so only the one
 * defect differs.
 */
import { between, type Rng } from './prng.js';
import type { Vpc } from './topology.js';

export const JUNK_KINDS = ['field-count', 'bad-ip', 'bad-counter', 'bad-port', 'binary'] as const;
export type JunkKind = (typeof JUNK_KINDS)[number];

function plausible(r: Rng, vpc: Vpc, fields: readonly string[], t0: number): string[] {
  const eni = vpc.enis[(r() * vpc.enis.length) | 0]!;
  const head = (fields.length > 14 ? eni.v5Head : eni.v2Head).trim().split(' ');
  const tail = eni.v5Tail.trim().split(' ');
  const peer = vpc.enis[(r() * vpc.enis.length) | 0]!;
  const v: Record<string, string> = {
    type: 'IPv4', srcaddr: peer.ip, dstaddr: eni.ip, srcport: String(between(r, 32768, 60999)), dstport: '443',
    'pkt-srcaddr': peer.ip, 'pkt-dstaddr': eni.ip, protocol: '6', packets: '4', bytes: '1180',
    start: String(t0), end: String(t0 + 60), action: 'ACCEPT', 'tcp-flags': '19', 'log-status': 'OK',
    region: tail[0]!, 'az-id': tail[1]!, 'flow-direction': 'ingress',
  };
  return fields.map((f, i) => (i < head.length ? head[i]! : v[f] ?? '-'));
}

function binary(r: Rng): string {
  let s = '\x00\x01\xff';
  const len = between(r, 12, 40);
  for (let i = 0; i < len; i++) {
    const b = (r() * 256) | 0;
    s += String.fromCharCode(b === 10 || b === 13 ? 0xfe : b);
  }
  return s;
}

/** A latin1 string: the binary kind uses bytes 0x00..0xff, never a line break. */
export function junkLine(r: Rng, kind: JunkKind, vpc: Vpc, fields: readonly string[], t0: number): string {
  if (kind === 'binary') return binary(r);
  const f = plausible(r, vpc, fields, t0);
  const set = (name: string, value: string): void => { f[fields.indexOf(name)] = value; };
  switch (kind) {
    case 'field-count': return f.slice(0, f.length - between(r, 2, 5)).join(' ');
    case 'bad-ip': set('srcaddr', '10.0.0.999'); break;
    case 'bad-counter': set('bytes', '12x'); break;
    case 'bad-port': set('dstport', '70000'); break;
  }
  return f.join(' ');
}
