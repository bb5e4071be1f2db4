/**
 * CIDR text as configuration files write it, checked without the hot-path
 * parser (services/core/ip.ts): schemas/ depends on nothing in services/.
 * Same rules: a bare address is a host route, the length is decimal and at
 * most /32 or /128, and bits past the length must be zero.
 */
import { isIP } from 'node:net';

export type CidrCheck = { ok: true; hostBitsSet: boolean } | { ok: false; error: string };

/** The address as 16 bytes (IPv4 in the low 4): only called on text isIP accepted. */
function bytes(addr: string, family: 4 | 6): number[] {
  if (family === 4) return addr.split('.').map(Number);
  let text = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) { const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number]; text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`; }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const h = head ? head.split(':') : [], t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => { const n = parseInt(g, 16); return [n >> 8, n & 0xff]; });
}

export function checkCidr(text: string): CidrCheck {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return { ok: false, error: `not an IP address: ${JSON.stringify(addr)}` };
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { ok: true, hostBitsSet: false };
  const lenText = text.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(lenText)) return { ok: false, error: `prefix length is not a decimal number: ${JSON.stringify(lenText)}` };
  const len = Number(lenText);
  if (len > max) return { ok: false, error: `prefix length /${len} exceeds /${max} for IPv${family}` };
  const b = bytes(addr, family as 4 | 6);
  let hostBitsSet = false;
  b.forEach((byte, i) => {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    if ((byte & ((0xff00 >> keep) & 0xff)) !== byte) hostBitsSet = true;
  });
  return { ok: true, hostBitsSet };
}
