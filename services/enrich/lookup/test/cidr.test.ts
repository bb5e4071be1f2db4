import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr } from '../cidr.js';

function ok(text: string) {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r;
}

describe('cidr', () => {
  it('parses and formats canonical text', () => {
    const cases: [string, number, string][] = [
      ['10.0.0.0/8', 104, '10.0.0.0/8'],
      ['0.0.0.0/0', 96, '0.0.0.0/0'],
      ['1.2.3.4', 128, '1.2.3.4/32'],
      ['1.2.3.4/32', 128, '1.2.3.4/32'],
      ['2600:1f18::/40', 40, '2600:1f18::/40'],
      ['2600:1F18:0000::/40', 40, '2600:1f18::/40'],
      ['::/0', 0, '::/0'],
      ['::1', 128, '::1/128'],
      ['::ffff:10.0.0.0/104', 104, '10.0.0.0/8'],
      ['::ffff:0:0/96', 96, '0.0.0.0/0'],
      ['::fffe:0:0/95', 95, '::fffe:0:0/95'],
    ];
    for (const [text, len, canon] of cases) {
      const r = ok(text);
      expect(r.len, text).toBe(len);
      expect(r.hostBitsSet, text).toBe(false);
      expect(formatCidr(r.net, r.len), text).toBe(canon);
    }
  });

  it('accepts host bits, zeroes them and says so', () => {
    const r = ok('10.0.0.1/8');
    expect(r.hostBitsSet).toBe(true);
    expect(formatCidr(r.net, r.len)).toBe('10.0.0.0/8');
    expect(ok('2600:1f18::1/40')).toMatchObject({ hostBitsSet: true, len: 40 });
    expect(formatCidr(ok('2600:1f18::1/40').net, 40)).toBe('2600:1f18::/40');
    expect(ok('11.0.0.0/7').hostBitsSet).toBe(true);
    expect(ok('10.0.0.0/7').hostBitsSet).toBe(false);
    expect(ok('::ffff:0:0/95')).toMatchObject({ hostBitsSet: true, len: 95 });
    expect(formatCidr(ok('::ffff:0:0/95').net, 95)).toBe('::fffe:0:0/95');
  });

  it('rejects bad input with a reason', () => {
    const bad: [string, RegExp][] = [
      ['10.0.0.0/33', /exceeds \/32/],
      ['1.2.3', /not an IP address/],
      ['::/129', /exceeds \/128/],
      ['10.0.0.0/', /not a decimal/],
      ['10.0.0.0/08', /not a decimal/],
      ['10.0.0.0/-1', /not a decimal/],
      ['10.0.0.0/8/8', /not a decimal/],
      ['10.0.0.0 /8', /not an IP address/],
      ['/8', /not an IP address/],
      ['', /not an IP address/],
      ['10.0.0.256/8', /not an IP address/],
    ];
    for (const [text, why] of bad) {
      const r = parseCidr(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error, text).toMatch(why);
    }
  });

  it('round-trips: format(parse(x)) parses back to the same prefix', () => {
    const v4 = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`);
    const v6 = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, l]) => `${a}/${l}`);
    fc.assert(fc.property(fc.oneof(v4, v6), (text) => {
      const r = ok(text);
      const canon = formatCidr(r.net, r.len);
      const back = ok(canon);
      expect(back.hostBitsSet).toBe(false);
      expect(back.len).toBe(r.len);
      expect([...back.net]).toEqual([...r.net]);
      expect(formatCidr(back.net, back.len)).toBe(canon);
    }), { numRuns: 3000 });
  });
});
