/**
 * CIDR text <-> (net, len) in the 128-bit space flows are stored in: IPv4 is
 * IPv4-mapped (::ffff:a.b.c.d), so IPv4 /n becomes /96+n and one prefix table
 * answers both families.
 *
 * parseCidr never throws: IPAM sources are user files and the caller wants to
 * report every bad line with its origin, not stop at the first.
 */
import { formatIp, isV4Mapped, parseIpText } from '../../core/ip.js';

export interface Cidr {
  /** 16 bytes, host bits zero. */
  net: Uint8Array;
  /** 0..128 in the v6 space (IPv4 /n is 96+n). */
  len: number;
  /** The text had bits set past the prefix length (10.0.0.1/8): accepted and zeroed, but a checker should warn. */
  hostBitsSet: boolean;
}

export type CidrResult = ({ ok: true } & Cidr) | { ok: false; error: string };

const LEN_TEXT = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses `10.0.0.0/8`, `2600:1f18::/40`, or a bare address (a host route: /32 or /128). */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const net = parseIpText(addrText);
  if (net === null) return { ok: false, error: `not an IP address: ${JSON.stringify(addrText)}` };
  const v4Text = !addrText.includes(':');
  let len = 128;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!LEN_TEXT.test(lenText)) return { ok: false, error: `prefix length is not a decimal number: ${JSON.stringify(lenText)}` };
    const n = Number(lenText);
    const max = v4Text ? 32 : 128;
    if (n > max) return { ok: false, error: `prefix length /${n} exceeds /${max} for ${v4Text ? 'IPv4' : 'IPv6'}` };
    len = v4Text ? 96 + n : n;
  }
  const hostBitsSet = maskHostBits(net, len);
  return { ok: true, net, len, hostBitsSet };
}

/** Zeroes the bits of net past len (in place); true when any was set. */
export function maskHostBits(net: Uint8Array, len: number): boolean {
  let changed = false;
  for (let i = 0; i < 16; i++) {
    const keep = len >= (i + 1) * 8 ? 8 : Math.max(0, len - i * 8);
    const mask = keep === 8 ? 0xff : (0xff00 >> keep) & 0xff;
    const b = net[i]!;
    if ((b & mask) !== b) { changed = true; net[i] = b & mask; }
  }
  return changed;
}

/** Canonical text: dotted IPv4 for mapped prefixes of /96 or longer, RFC 5952 otherwise; host bits zeroed. */
export function formatCidr(net: Uint8Array, len: number): string {
  const n = net.slice(0, 16);
  maskHostBits(n, len);
  // a mapped net with len < 96 cannot occur once masked (bit 95 is the last bit of the ffff)
  if (len >= 96 && isV4Mapped(n, 0)) return `${formatIp(n, 0)}/${len - 96}`;
  return `${formatIp(n, 0)}/${len}`;
}
