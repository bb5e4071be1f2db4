/**
 * The detectors meet their targets on the demo estate (two estates, one per
 * file, so they run side by side): event-level recall and precision per
 * detector, the false-finding rate, and what an analyst meets (precision,
 * recall, findings per incident, kind accuracy, breach latency). A regression
 * in any detector, its baseline, the grouping or the anomaly store fails here.
 */
import { describe, expect, it } from 'vitest';
import { falseRate, missedTargets, TARGETS } from '../eval-command.js';
import { evaluate, why } from './evaluate.js';

describe('detector evaluation, demo estate', () => {
  it('finds every injected event, raises no false finding on the decoys, within the targets', { timeout: 900_000 }, async () => {
    await evaluate('demo-estate', 300_000, (r) => {
      expect(r.workloads).toBeGreaterThan(300);
      for (const s of r.scores) {
        const miss = `${s.detector}: missed ${s.missed.join(', ')}; false: ${s.falseFindings.map((f) => f.summary).join(' | ')}`;
        expect(s.events, miss).toBeGreaterThan(0);
        expect(s.recall!, miss).toBeGreaterThanOrEqual(TARGETS.recall);
        expect(s.precision!, miss).toBeGreaterThanOrEqual(TARGETS.precision);
        expect(falseRate(s, r.workloads), miss).toBeLessThanOrEqual(TARGETS.falsePer1kPerDay);
      }
      expect(missedTargets(r.overall), why(r)).toEqual([]);
    });
  });
});
