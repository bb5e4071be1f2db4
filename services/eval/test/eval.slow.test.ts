/**
 * The detectors meet their targets on both evaluation estates (a smaller
 * background than `npm run eval`, same events): on the demo estate,
 * event-level recall and precision per detector and the false-finding rate;
 * on both, what an analyst meets (precision, recall, findings per incident,
 * kind accuracy, breach latency, nothing alerting on cold starts). A
 * regression in any detector, its baseline, the grouping or the anomaly
 * store fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { falseRate, missedTargets, runEval, TARGETS, type EvalResult } from '../eval-command.js';
import type { ScenarioName } from '../scenarios.js';

async function evaluate(name: ScenarioName, flows: number, check: (r: EvalResult) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-eval-'));
  try {
    check(await runEval(join(dir, 'eval'), flows, () => undefined, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const why = (r: EvalResult) => `false: ${r.overall.falseFindings.map((f) => f.summary).join(' | ')}; cold starts: ${r.overall.coldStartFalse.map((f) => f.summary).join(' | ')}; `
  + `wrong kind: ${r.overall.wrongKind.join(', ')}; missed: ${r.overall.missed.join(', ')}`;

describe('detector evaluation', () => {
  it('finds every injected event, raises no false finding on the decoys, within the targets', { timeout: 900_000 }, async () => {
    await evaluate('demo-estate', 300_000, (r) => {
      expect(r.workloads).toBeGreaterThan(300);
      for (const s of r.scores) {
        const why = `${s.detector}: missed ${s.missed.join(', ')}; false: ${s.falseFindings.map((f) => f.summary).join(' | ')}`;
        expect(s.events, why).toBeGreaterThan(0);
        expect(s.recall!, why).toBeGreaterThanOrEqual(TARGETS.recall);
        expect(s.precision!, why).toBeGreaterThanOrEqual(TARGETS.precision);
        expect(falseRate(s, r.workloads), why).toBeLessThanOrEqual(TARGETS.falsePer1kPerDay);
      }
      expect(missedTargets(r.overall), why(r)).toEqual([]);
    });
  });

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
