import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../cidr.js';
import { compilePrefixTable } from '../prefix-table.js';
import { prefixSet, refParents } from './reference.js';

describe('prefix table parents', () => {
  it('agrees with a linear scan', () => {
    fc.assert(fc.property(prefixSet, (prefixes) => {
      expect([...compilePrefixTable(prefixes).parents]).toEqual([...refParents(prefixes)]);
    }), { numRuns: 3000 });
  });

  it('chains repeated CIDRs in descending precedence, then the enclosing prefixes, across families', () => {
    const cidrs = ['::/0', '0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.0.0/16', '10.1.2.0/24', '2600::/16', '192.168.0.0/16'];
    const prefixes = cidrs.map((c, i) => {
      const r = parseCidr(c);
      if (!r.ok) throw new Error(r.error);
      return { net: r.net, len: r.len, id: i * 2 }; // odd ids unused
    });
    const { parents } = compilePrefixTable(prefixes);
    const chain = (id: number) => {
      const out: number[] = [];
      for (let p = parents[id]!; p >= 0; p = parents[p]!) out.push(p / 2);
      return out;
    };
    expect(chain(10)).toEqual([4, 3, 2, 1, 0]);
    expect(chain(12)).toEqual([0]);
    expect(chain(14)).toEqual([1, 0]);
    expect(parents.length).toBe(15);
    expect(parents[1]).toBe(-1);
  });
});
