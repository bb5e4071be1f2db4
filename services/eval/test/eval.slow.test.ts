/**
 * The detectors meet their targets on the injected scenario (a smaller
 * background than `npm run eval`, same events): event-level recall and
 * precision per detector, and the false-finding rate. A regression in any
 * detector, its baseline or the anomaly store fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { falseRate, runEval, TARGETS } from '../eval-command.js';

describe('detector evaluation', () => {
  it('finds every injected event, raises no false finding on the decoys, within the targets', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-eval-'));
    try {
      const r = await runEval(join(dir, 'eval'), 300_000);
      expect(r.workloads).toBeGreaterThan(300);
      for (const s of r.scores) {
        const why = `${s.detector}: missed ${s.missed.join(', ')}; false: ${s.falseFindings.map((f) => f.summary).join(' | ')}`;
        expect(s.events, why).toBeGreaterThan(0);
        expect(s.recall!, why).toBeGreaterThanOrEqual(TARGETS.recall);
        expect(s.precision!, why).toBeGreaterThanOrEqual(TARGETS.precision);
        expect(falseRate(s, r.workloads), why).toBeLessThanOrEqual(TARGETS.falsePer1kPerDay);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
