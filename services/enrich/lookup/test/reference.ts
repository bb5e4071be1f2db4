/**
 * Obviously-correct references and generators for the prefix table tests:
 * linear scans over the prefix list, bit by bit.
 */
import fc from 'fast-check';
import type { PrefixInput } from '../prefix-table.js';

const bit = (b: Uint8Array, i: number) => (b[i >> 3]! >> (7 - (i & 7))) & 1;

/** Whether the first `len` bits of a and b agree. */
export function samePrefix(a: Uint8Array, b: Uint8Array, len: number): boolean {
  for (let i = 0; i < len; i++) if (bit(a, i) !== bit(b, i)) return false;
  return true;
}

/** Longest matching prefix; on equal prefixes the one listed last. */
export function refLookup(prefixes: readonly PrefixInput[], addr: Uint8Array): number {
  let best = -1, bestLen = -1;
  for (const p of prefixes) {
    if (p.len >= bestLen && samePrefix(p.net, addr, p.len)) { best = p.id; bestLen = p.len; }
  }
  return best;
}

/**
 * parents[id]: the most specific other prefix containing this one, counting an
 * identical prefix listed earlier as enclosing (and the latest such).
 */
export function refParents(prefixes: readonly PrefixInput[]): Int32Array {
  const maxId = prefixes.reduce((m, p) => Math.max(m, p.id), -1);
  const out = new Int32Array(maxId + 1).fill(-1);
  prefixes.forEach((p, i) => {
    let best = -1, bestLen = -1;
    prefixes.forEach((q, j) => {
      if (j === i || q.len > p.len || !samePrefix(q.net, p.net, q.len)) return;
      if (q.len === p.len && j > i) return;
      if (q.len >= bestLen) { best = q.id; bestLen = q.len; }
    });
    out[p.id] = best;
  });
  return out;
}

export function mapped(a: number): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = 0xff; b[11] = 0xff;
  new DataView(b.buffer).setUint32(12, a >>> 0);
  return b;
}

/** Sets bits len..127 of a copy to `fill` (0 or 1): first and last address of the prefix. */
export function edge(net: Uint8Array, len: number, fill: 0 | 1): Uint8Array {
  const b = net.slice();
  for (let i = len; i < 128; i++) {
    if (fill) b[i >> 3]! |= 0x80 >> (i & 7); else b[i >> 3]! &= ~(0x80 >> (i & 7));
  }
  return b;
}

/** Adds delta (+1 / -1) to a 128-bit big-endian address, wrapping. */
export function step(a: Uint8Array, delta: 1 | -1): Uint8Array {
  const b = a.slice();
  for (let i = 15; i >= 0; i--) {
    const v = b[i]! + delta;
    b[i] = v & 0xff;
    if (v >= 0 && v <= 0xff) break;
  }
  return b;
}

export function flip(a: Uint8Array, i: number): Uint8Array {
  const b = a.slice();
  b[i >> 3]! ^= 0x80 >> (i & 7);
  return b;
}

const v4Addr = fc.integer({ min: 0, max: 0xffffffff }).map(mapped);
const v6Addr = fc.uint8Array({ minLength: 16, maxLength: 16 });
/** Mostly IPv4-mapped, some IPv6, and the corners of both spaces. */
export const anyAddr = fc.oneof(
  { weight: 4, arbitrary: v4Addr },
  { weight: 3, arbitrary: v6Addr },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(16), new Uint8Array(16).fill(0xff), mapped(0), mapped(0xffffffff), step(mapped(0), -1), step(mapped(0xffffffff), 1)) },
);

const lenFor = (v4: boolean) => v4
  ? fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 96, max: 128 }) }, { weight: 2, arbitrary: fc.constantFrom(96, 104, 120, 128) }, { weight: 1, arbitrary: fc.constantFrom(0, 80, 95) })
  : fc.oneof(fc.integer({ min: 0, max: 128 }), fc.constantFrom(0, 1, 64, 95, 96, 127, 128));

/**
 * Prefix sets that nest, overlap and repeat: every prefix is a pool address
 * (a few per set) with maybe one bit flipped, cut at a random length; host
 * bits are left set now and then (the table must ignore them); some entries
 * are exact copies of earlier ones. Ids are distinct but not the list index.
 */
export const prefixSet = fc.record({
  pool: fc.array(anyAddr, { minLength: 1, maxLength: 4 }),
  specs: fc.array(fc.record({ at: fc.nat(), flipBit: fc.option(fc.integer({ min: 0, max: 127 })), len4: lenFor(true), len6: lenFor(false), keepHostBits: fc.boolean() }), { maxLength: 40 }),
  dups: fc.array(fc.nat(), { maxLength: 6 }),
}).map(({ pool, specs, dups }) => {
  const out: PrefixInput[] = [];
  for (const s of specs) {
    const base = pool[s.at % pool.length]!;
    const isV4 = base[10] === 0xff && base[11] === 0xff && base.subarray(0, 10).every((x) => x === 0);
    const len = isV4 ? s.len4 : s.len6;
    // flips within the mapped prefix's last 32 bits keep a v4 base v4
    const a = s.flipBit === null ? base : flip(base, isV4 ? 96 + (s.flipBit % 32) : s.flipBit);
    out.push({ net: s.keepHostBits ? a : edge(a, len, 0), len, id: 0 });
  }
  for (const d of dups) if (out.length > 0) out.push({ ...out[d % out.length]! });
  return out.map((p, i) => ({ ...p, id: i * 3 + 1 }));
});

/** Addresses worth asking about for a prefix set: each prefix's first, last, one before and one past, plus pool-like noise. */
export function probesFor(prefixes: readonly PrefixInput[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of prefixes) {
    const first = edge(p.net, p.len, 0), last = edge(p.net, p.len, 1);
    out.push(first, last, step(first, -1), step(last, 1));
  }
  return out;
}
