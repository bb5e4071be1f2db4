import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpText } from '../../../core/ip.js';
import { parseCidr } from '../cidr.js';
import { compilePrefixTable, type PrefixInput } from '../prefix-table.js';
import { anyAddr, prefixSet, probesFor, refLookup } from './reference.js';

function fromCidrs(cidrs: string[]): PrefixInput[] {
  return cidrs.map((c, id) => {
    const r = parseCidr(c);
    if (!r.ok) throw new Error(r.error);
    return { net: r.net, len: r.len, id };
  });
}

const ip = (s: string) => parseIpText(s)!;

/** Packs addresses into a column the way FlowBatch holds them, at a byte offset to exercise both read paths. */
function column(addrs: Uint8Array[], byteOffset = 0): Uint8Array {
  const col = new Uint8Array(byteOffset + addrs.length * 16).subarray(byteOffset);
  addrs.forEach((a, r) => col.set(a, r * 16));
  return col;
}

describe('prefix table', () => {
  it('agrees with a linear scan on nested, overlapping and repeated prefixes', () => {
    fc.assert(fc.property(prefixSet, fc.array(anyAddr, { maxLength: 30 }), (prefixes, extra) => {
      const t = compilePrefixTable(prefixes);
      for (const a of [...probesFor(prefixes), ...extra]) {
        expect(t.lookup(a, 0), `${[...a]}`).toBe(refLookup(prefixes, a));
      }
    }), { numRuns: 3000 });
  });

  it('lookupColumn matches lookup row by row, nulls give -1, aligned or not', () => {
    fc.assert(fc.property(prefixSet, fc.array(fc.tuple(anyAddr, fc.boolean()), { maxLength: 60 }), fc.constantFrom(0, 1, 4, 6),
      (prefixes, rows, byteOffset) => {
        const t = compilePrefixTable(prefixes);
        const addrs = [...probesFor(prefixes), ...rows.map(([a]) => a)];
        const nulls = Uint8Array.from(addrs, (_, r) => (r >= addrs.length - rows.length && rows[r - (addrs.length - rows.length)]![1] ? 1 : 0));
        const out = new Int32Array(addrs.length + 1).fill(7);
        t.lookupColumn(column(addrs, byteOffset), nulls, addrs.length, out);
        addrs.forEach((a, r) => expect(out[r]).toBe(nulls[r] ? -1 : refLookup(prefixes, a)));
        expect(out[addrs.length]).toBe(7); // rows beyond `rows` untouched
      }), { numRuns: 1000 });
  });

  it('answers the golden cases', () => {
    const t = compilePrefixTable(fromCidrs([
      '0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3', '10.1.0.0/16', // 5 overrides 2
      '::/0', '2600:1f18::/40', '2600:1f18:aa::/48', '2600:1f18:aa::1', '255.255.255.255/32',
    ]));
    const cases: [string, number][] = [
      ['10.1.2.3', 4], ['10.1.2.4', 3], ['10.1.3.0', 5], ['10.255.255.255', 1], ['11.0.0.0', 0], ['9.255.255.255', 0],
      ['255.255.255.255', 10], ['255.255.255.254', 0], ['0.0.0.0', 0],
      ['2600:1f18:aa::1', 9], ['2600:1f18:aa::2', 8], ['2600:1f18:ab::', 7], ['2600:1f19::', 6], ['::1', 6], ['::', 6],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6], ['::fffe:ffff:ffff', 6], ['::1:0:0:0', 6],
    ];
    for (const [a, id] of cases) expect(t.lookup(ip(a), 0), a).toBe(id);
  });

  it('keeps the two families apart: ::/0 covers IPv4 only through the mapped space', () => {
    const v6only = compilePrefixTable(fromCidrs(['2000::/3']));
    expect(v6only.lookup(ip('10.0.0.1'), 0)).toBe(-1);
    const all = compilePrefixTable(fromCidrs(['::/0', '::ffff:0:0/96', '10.0.0.0/8']));
    expect(all.lookup(ip('10.0.0.1'), 0)).toBe(2);
    expect(all.lookup(ip('11.0.0.1'), 0)).toBe(1);
    expect(all.lookup(ip('2001:db8::1'), 0)).toBe(0);
    expect(all.lookup(ip('::fffe:0:0'), 0)).toBe(0);
  });

  it('handles the empty table', () => {
    const t = compilePrefixTable([]);
    expect(t.lookup(ip('1.2.3.4'), 0)).toBe(-1);
    expect(t.lookup(ip('::1'), 0)).toBe(-1);
    expect(t.parents.length).toBe(0);
    expect(t.size).toMatchObject({ prefixes: 0, v4Ranges: 1, v6Ranges: 1 });
  });

  it('reads the address at an offset', () => {
    const t = compilePrefixTable(fromCidrs(['10.0.0.0/8', '2600::/16']));
    const buf = column([ip('1.1.1.1'), ip('10.9.9.9'), ip('2600::5')]);
    expect([0, 16, 32].map((o) => t.lookup(buf, o))).toEqual([-1, 0, 1]);
  });

  it('refuses a row count past the arrays', () => {
    const t = compilePrefixTable([]);
    expect(() => t.lookupColumn(new Uint8Array(32), new Uint8Array(3), 3, new Int32Array(3))).toThrow(RangeError);
    expect(() => t.lookupColumn(new Uint8Array(48), new Uint8Array(3), 3, new Int32Array(2))).toThrow(RangeError);
  });

  it('rejects malformed entries', () => {
    const net = new Uint8Array(16);
    expect(() => compilePrefixTable([{ net: new Uint8Array(4), len: 8, id: 0 }])).toThrow(/16 bytes/);
    expect(() => compilePrefixTable([{ net, len: 129, id: 0 }])).toThrow(/outside 0..128/);
    expect(() => compilePrefixTable([{ net, len: 1.5, id: 0 }])).toThrow(/outside 0..128/);
    expect(() => compilePrefixTable([{ net, len: 8, id: -1 }])).toThrow(/id -1/);
    expect(() => compilePrefixTable([{ net, len: 8, id: 3 }, { net, len: 9, id: 3 }])).toThrow(/id 3 used twice/);
  });
});
