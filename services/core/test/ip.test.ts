import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import { referenceIpText } from '../../../test/ip-reference.js';
import { describe, expect, it } from 'vitest';
import { formatIp, parseIpText } from '../ip.js';

describe('ip', () => {
  it('parses every valid v4/v6 address and formats it canonically', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (a) => {
      const b = parseIpText(a);
      expect(b).not.toBeNull();
      expect(formatIp(b!, 0)).toBe(referenceIpText(a));
    }), { numRuns: 2000 });
  });

  it('agrees with node:net on what is an address', () => {
    const piece = fc.constantFrom('1', '255', '256', '01', '0', ':', '::', '.', 'ffff', 'g', '12345', '1.2.3.4', '');
    fc.assert(fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
      const s = parts.join('');
      const ours = parseIpText(s) !== null;
      // node accepts no leading zeros in IPv4 either; both refuse zone ids, which flow logs never carry
      expect(ours).toBe(isIPv4(s) || isIPv6(s));
    }), { numRuns: 5000 });
  });

  it('stores IPv4 IPv4-mapped', () => {
    expect([...parseIpText('10.1.2.3')!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 1, 2, 3]);
    expect(formatIp(parseIpText('::ffff:10.1.2.3')!, 0)).toBe('10.1.2.3');
    expect(formatIp(parseIpText('::')!, 0)).toBe('::');
    expect(formatIp(parseIpText('2001:db8:0:0:1:0:0:1')!, 0)).toBe('2001:db8::1:0:0:1');
  });

  it('rejects junk', () => {
    for (const s of ['10.0.0.999', '1.2.3', '1.2.3.4.5', '::1::', '1:2:3:4:5:6:7:8:9', 'abc', '', ':1', '1:', '12345::']) {
      expect(parseIpText(s), s).toBeNull();
    }
  });
});
