import { describe, expect, it } from 'vitest';
import { anchorDefault, chunkPlan, DEFAULT_SCALE_STEPS, formatScale, parseScaleSteps, type ScaleStep } from '../scale-bench.js';

describe('parseScaleSteps', () => {
  it('defaults to 10M then 100M and reads a rising list', () => {
    expect(parseScaleSteps(undefined)).toEqual(DEFAULT_SCALE_STEPS);
    expect(DEFAULT_SCALE_STEPS).toEqual([10_000_000, 100_000_000]);
    expect(parseScaleSteps('1000000, 3000000')).toEqual([1_000_000, 3_000_000]);
  });

  it('refuses steps that do not rise, are not whole, or are empty', () => {
    for (const bad of ['3000000,1000000', '5,5', '1.5', '0', '', 'x', '1e3,-1']) expect(() => parseScaleSteps(bad), bad).toThrow(RangeError);
  });
});

describe('chunkPlan', () => {
  it('cuts each step\'s new flows into days of the first step\'s size, days numbered on', () => {
    expect(chunkPlan([1_000_000, 3_000_000], 1_000_000)).toEqual([
      [{ day: 0, flows: 1_000_000 }],
      [{ day: 1, flows: 1_000_000 }, { day: 2, flows: 1_000_000 }],
    ]);
    const big = chunkPlan(DEFAULT_SCALE_STEPS, 10_000_000);
    expect(big[1]).toHaveLength(9);
    expect(big.flat().reduce((s, c) => s + c.flows, 0)).toBe(100_000_000);
  });

  it('ends a step with a short day when it does not divide', () => {
    expect(chunkPlan([2, 7], 2)).toEqual([[{ day: 0, flows: 2 }], [{ day: 1, flows: 2 }, { day: 2, flows: 2 }, { day: 3, flows: 1 }]]);
  });
});

describe('anchorDefault', () => {
  it('makes now() the end of the stored data in a saved query default', () => {
    expect(anchorDefault('now() - INTERVAL 1 HOUR', new Date('2024-11-03T23:59:58.500Z')))
      .toBe("toDateTime64('2024-11-03 23:59:58.500', 3, 'UTC') - INTERVAL 1 HOUR");
    expect(anchorDefault('7', new Date(0))).toBe('7');
  });
});

describe('formatScale', () => {
  it('puts the steps side by side, one figure per line', () => {
    const step = (flows: number, ms: number): ScaleStep => ({
      flows, ingest: { flows, seconds: 10, flows_per_sec: flows / 10, peak_rss_mb: 700 }, bytes_per_flow: { flows_table: 20.5, all_tables: 22 },
      store: { flows_parts: flows / 100_000, merges_running: 0 }, address: '10.0.0.1', p50_ms: { 'investigate 1h': ms },
    });
    const lines = formatScale([step(1_000_000, 80), step(3_000_000, 95)]).split('\n');
    expect(lines[0]).toMatch(/^flows stored +1,000,000 +3,000,000$/);
    expect(lines.find((l) => l.startsWith('p50 ms investigate 1h'))).toMatch(/ 80 +95$/);
    expect(lines.find((l) => l.startsWith('bytes/flow on disk, flows'))).toMatch(/20\.5 +20\.5$/);
    expect(lines.find((l) => l.startsWith('flows active parts'))).toMatch(/ 10 +30$/);
  });
});
