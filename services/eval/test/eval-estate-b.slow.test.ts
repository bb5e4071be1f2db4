/**
 * The detectors meet the scenario targets on estate B (other formats and
 * shape, both-ends logging, a weekly pattern, cold starts): what an analyst
 * meets, and nothing alerting on cold starts.
 */
import { describe, expect, it } from 'vitest';
import { missedTargets } from '../eval-command.js';
import { evaluate, why } from './evaluate.js';

describe('detector evaluation, estate B', () => {
  it('meets the scenario targets on estate B: other formats and shape, both-ends logging, weekly pattern, cold starts', { timeout: 900_000 }, async () => {
    await evaluate('estate-b', 300_000, (r) => {
      expect(r.overall.incidents).toBe(5);
      expect(r.overall.coldStartFalse, why(r)).toEqual([]);
      expect(missedTargets(r.overall), why(r)).toEqual([]);
      // every cold start got its informational finding
      expect(r.scores.find((s) => s.detector === 'new_workload')!.recall).toBe(1);
      // the scan's episode gives its totals over all its windows, not its newest window's
      const scan = r.episodes.find((e) => e.detector === 'scan' && e.entity === 'src=10.61.1.176');
      expect(scan?.summary).toMatch(/probed 4[0-2]\d ports on \d+ hosts since/);
      // a new /24 reads as people write it
      expect(r.episodes.filter((e) => e.detector === 'new_destination').map((e) => e.entity)).toContain('10.60.1.158->80.158.47.0/24');
    });
  });
});
