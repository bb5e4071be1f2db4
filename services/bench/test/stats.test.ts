import { describe, expect, it } from 'vitest';
import { firstLastRates, p50, progressPoints, thin, timeAtRows } from '../stats.js';

describe('p50', () => {
  it('is the middle of five runs whatever their order, the lower middle of an even count', () => {
    expect(p50([900, 120, 130, 110, 125])).toBe(125);
    expect(p50([4, 1, 3, 2])).toBe(2);
    expect(p50([7])).toBe(7);
    expect(() => p50([])).toThrow(RangeError);
  });
});

// what `flowlog ingest` prints on a pipe (Progress, not a terminal)
const STDERR = [
  'ingest 0 flows stored, 0 rejected (0.4s)', // the listing still arriving: no share yet
  'ingest 10% 2,000,000 flows stored, 0 rejected (10.0s)',
  'ingest 50% 10,000,000 flows stored, 0 rejected (50.0s)',
  'some other line (3.0s)',
  'ingest 90% 18,000,000 flows stored, 0 rejected (100.0s)',
  'ingest done 20,000,000 flows, 0 rejected (112.5s)',
].join('\n');

describe('progress of a sustained ingest', () => {
  it('reads stored flows and seconds from the progress lines, from (0, 0)', () => {
    expect(progressPoints(STDERR)).toEqual([
      { rows: 0, t: 0 }, { rows: 0, t: 0.4 }, { rows: 2_000_000, t: 10 }, { rows: 10_000_000, t: 50 }, { rows: 18_000_000, t: 100 }, { rows: 20_000_000, t: 112.5 },
    ]);
  });

  it('interpolates when a row count was reached', () => {
    const pts = progressPoints(STDERR);
    expect(timeAtRows(pts, 6_000_000)).toBe(30);
    expect(timeAtRows(pts, 19_000_000)).toBeCloseTo(106.25);
    expect(() => timeAtRows(pts, 20_000_001)).toThrow(RangeError);
  });

  it('gives the rate of the first and of the last window', () => {
    const { first, last } = firstLastRates(progressPoints(STDERR), 5_000_000);
    expect(first).toBeCloseTo(5_000_000 / 25); // 5M at 25 s
    // 15M at 81.25 s (5/8 of the way from 10M at 50 s to 18M at 100 s), the end at 112.5 s
    expect(last).toBeCloseTo(5_000_000 / 31.25);
    expect(() => firstLastRates(progressPoints(STDERR), 11_000_000)).toThrow(/two windows/);
  });
});

describe('thin', () => {
  it('keeps at most n evenly spread samples, the last always', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect(thin(xs, 4)).toEqual([24, 49, 74, 99]);
    expect(thin([1, 2], 10)).toEqual([1, 2]);
  });
});
