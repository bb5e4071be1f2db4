import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtBytes } from '../byte-size.js';

describe('fmtBytes', () => {
  it('writes decimal units, as the detectors and the engine\'s formatReadableDecimalSize do', () => {
    expect(fmtBytes(0)).toBe('0 B');
    expect(fmtBytes(999)).toBe('999 B');
    expect(fmtBytes(1000)).toBe('1.00 KB');
    expect(fmtBytes(1024)).toBe('1.02 KB');
    expect(fmtBytes(12_345_678)).toBe('12.3 MB');
    expect(fmtBytes(120e9)).toBe('120 GB');
    expect(fmtBytes(-2.5e12)).toBe('-2.50 TB');
    expect(fmtBytes(Number.NaN)).toBe('–');
    expect(fmtBytes(999_999)).toBe('1.00 MB'); // not "1000 KB"
    expect(fmtBytes(999_499)).toBe('999 KB');
  });

  it('reads back within its rounding', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (n) => {
      const [v, unit] = fmtBytes(n).split(' ');
      if (unit !== 'B' && unit !== 'PB') expect(Number(v)).toBeLessThan(1000);
      const back = Number(v) * 1000 ** ['B', 'KB', 'MB', 'GB', 'TB', 'PB'].indexOf(unit!);
      expect(Math.abs(back - n)).toBeLessThanOrEqual(Math.max(0.5, n * 0.005));
    }));
  });
});
