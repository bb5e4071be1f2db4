/**
 * Synthetic IPAM prefixes and flow addresses for the lookup bench: seeded, so
 * every run measures the same table; shaped like real inventories (nested
 * private blocks, cloud IPv6 allocations) rather than uniform noise, which
 * would make nesting and bucket crowding unrealistically rare.
 */
import { isV4Mapped } from '../core/ip.js';
import type { PrefixInput } from '../enrich/lookup/prefix-table.js';

export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const u32 = (r: () => number) => Math.floor(r() * 4294967296) >>> 0;
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

function setV4(b: Uint8Array, o: number, a: number) {
  b.fill(0, o, o + 10); b[o + 10] = 0xff; b[o + 11] = 0xff;
  b[o + 12] = a >>> 24; b[o + 13] = (a >>> 16) & 255; b[o + 14] = (a >>> 8) & 255; b[o + 15] = a & 255;
}

function setWords(b: Uint8Array, o: number, w: readonly number[]) {
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) b[o + j * 4 + k] = (w[j]! >>> (24 - 8 * k)) & 255;
}

export const maskOf = (bits: number) => (bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0);

/**
 * Mostly /16-/28 IPv4, nested under the private blocks as IPAM data is, some
 * public; some IPv6 /32-/64 under a few hundred cloud /32s; a few /128 hosts.
 */
export function makePrefixes(r: () => number, count: number): PrefixInput[] {
  const out: PrefixInput[] = [];
  const v4 = (a: number, len: number) => {
    const net = new Uint8Array(16); setV4(net, 0, (a & maskOf(len)) >>> 0);
    out.push({ net, len: 96 + len, id: out.length });
  };
  const v6 = (w: number[], len: number) => {
    const net = new Uint8Array(16);
    setWords(net, 0, w.map((x, j) => (x & maskOf(len - 32 * j)) >>> 0));
    out.push({ net, len, id: out.length });
  };
  v4(0x0a000000, 8); v4(0xac100000, 12); v4(0xc0a80000, 16);
  const blocks: [number, number][] = [[0x0a000000, 8], [0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16]];
  const roots6 = Array.from({ length: 300 }, () => [(0x26000000 | (u32(r) & 0x00ffffff)) >>> 0, u32(r), 0, 0]);
  for (const w of roots6) v6(w, 32);
  while (out.length < count) {
    const x = r();
    if (x < 0.89) {
      const len = pick(r, [16, 17, 18, 19, 20, 20, 21, 22, 22, 23, 24, 24, 24, 24, 25, 26, 26, 27, 28, 28]);
      const [base, blen] = r() < 0.6 ? pick(r, blocks) : [u32(r), 0];
      v4(((base & maskOf(blen)) | (u32(r) & ~maskOf(blen))) >>> 0, Math.max(len, blen));
    } else if (x < 0.99) {
      const root = pick(r, roots6);
      v6([root[0]!, u32(r), u32(r), 0], pick(r, [36, 40, 44, 48, 48, 52, 56, 56, 60, 64, 64, 64]));
    } else {
      const root = pick(r, roots6);
      v6([root[0]!, u32(r), u32(r), u32(r)], 128);
    }
  }
  return out;
}

/** Addresses inside a random prefix of the family 80% of the time, uniform otherwise. */
export function makeAddresses(r: () => number, prefixes: PrefixInput[], v4: boolean, n: number): Uint8Array {
  const fam = prefixes.filter((p) => (p.len >= 96 && isV4Mapped(p.net, 0)) === v4);
  const ips = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) {
    const inside = r() < 0.8 ? pick(r, fam) : null;
    if (v4) {
      const base = inside ? ((inside.net[12]! << 24) | (inside.net[13]! << 16) | (inside.net[14]! << 8) | inside.net[15]!) >>> 0 : 0;
      const hostMask = inside ? ~maskOf(inside.len - 96) : 0xffffffff;
      setV4(ips, i * 16, (base | (u32(r) & hostMask)) >>> 0);
    } else {
      const w = [0, 1, 2, 3].map((j) => {
        const rand = u32(r);
        if (!inside) return j === 0 ? ((0x20000000 | (rand & 0x1fffffff)) >>> 0) : rand;
        const netW = ((inside.net[j * 4]! << 24) | (inside.net[j * 4 + 1]! << 16) | (inside.net[j * 4 + 2]! << 8) | inside.net[j * 4 + 3]!) >>> 0;
        return (netW | (rand & ~maskOf(inside.len - 32 * j))) >>> 0;
      });
      setWords(ips, i * 16, w);
    }
  }
  return ips;
}
