/**
 * The anomaly store keeps one episode per (detector, entity): seen again, it
 * is updated (same first_seen and detected_at, newest window, worst
 * severity); no longer seen past the grace period, it is resolved; a
 * suppression rule marks it suppressed instead of open.
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { recordRun } from '../anomaly-store.js';
import type { Finding } from '../finding.js';
import { isSuppressed } from '../suppression.js';
import { robustZ, trend } from '../robust.js';

const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h));
const f = (entity: string, h: number, severity: Finding['severity'] = 'medium'): Finding => ({
  detector: 'scan', entity, owner: 'search', windowStart: at(h), windowEnd: at(h + 1), severity, score: 3, observed: 100, expected: null, unit: 'flows',
  summary: `scan from ${entity}`, evidence: { topFlows: [{ n: 1 }], sql: 'SELECT 1' }, firstSeen: at(h), lastSeen: at(h + 1), status: 'open', labels: {},
});

describe('anomaly store', () => {
  it('updates one episode per entity, resolves what stops, suppresses by rule', async () => {
    await withStore(async (store) => {
      expect(await recordRun(store, 'scan', [f('src=1.2.3.4', 1, 'high'), f('src=5.6.7.8', 1)], at(2))).toEqual({ opened: 2, updated: 0, resolved: 0, suppressed: 0 });
      expect(await recordRun(store, 'scan', [f('src=1.2.3.4', 2, 'low')], at(3))).toEqual({ opened: 0, updated: 1, resolved: 0, suppressed: 0 });
      // 5.6.7.8 last seen at 2:00; at 5:00 it is past the 2 h grace
      expect(await recordRun(store, 'scan', [f('src=1.2.3.4', 4)], at(5))).toEqual({ opened: 0, updated: 1, resolved: 1, suppressed: 0 });
      const rows = await store.queryRows<Record<string, string>>(
        "SELECT entity, status, severity, toString(first_seen) AS fs, toString(last_seen) AS ls, toString(detected_at) AS da FROM anomalies_current ORDER BY entity");
      expect(rows).toEqual([
        { entity: 'src=1.2.3.4', status: 'open', severity: 'high', fs: '2026-11-20 01:00:00.000', ls: '2026-11-20 05:00:00.000', da: '2026-11-20 02:00:00.000' },
        { entity: 'src=5.6.7.8', status: 'resolved', severity: 'medium', fs: '2026-11-20 01:00:00.000', ls: '2026-11-20 02:00:00.000', da: '2026-11-20 02:00:00.000' },
      ]);
      const sup = await recordRun(store, 'scan', [f('src=10.9.0.1', 6)], at(7), { suppressions: [{ entity: 'src=10.9.*', reason: 'our own scanner' }] });
      expect(sup.suppressed).toBe(1);
      const [s] = await store.queryRows<{ status: string; why: string }>("SELECT status, labels['suppressed_by'] AS why FROM anomalies_current WHERE entity = 'src=10.9.0.1'");
      expect(s).toEqual({ status: 'suppressed', why: 'our own scanner' });
    });
  });

  it('an episode keeps its worst window, not only its newest one', async () => {
    await withStore(async (store) => {
      await recordRun(store, 'scan', [{ ...f('src=1.2.3.4', 1), score: 9, summary: 'wide' }], at(2));
      await recordRun(store, 'scan', [{ ...f('src=1.2.3.4', 2), score: 2, summary: 'narrow' }], at(3));
      const [r] = await store.queryRows<Record<string, string>>(
        "SELECT summary, labels['worst_score'] AS ws, labels['worst_summary'] AS wsum, labels['worst_window'] AS ww FROM anomalies_current WHERE entity = 'src=1.2.3.4'");
      expect(r).toEqual({ summary: 'narrow', ws: '9', wsum: 'wide', ww: '2026-11-20T01:00:00.000Z/2026-11-20T02:00:00.000Z' });
    });
  });

  it('suppression rules match on every given field, within their time window', () => {
    const x = f('src=10.9.0.1', 1);
    expect(isSuppressed(x, [{ detector: 'egress_spike', reason: 'a' }], at(2))).toBeNull();
    expect(isSuppressed(x, [{ owner: 'search', entity: 'src=10.*', reason: 'b' }], at(2))).toBe('b');
    expect(isSuppressed(x, [{ owner: 'search', until: at(1), reason: 'c' }], at(2))).toBeNull();
    expect(isSuppressed(x, [{ entity: 'src=10.9.0.1?', reason: 'd' }], at(2))).toBeNull(); // only * is special
  });

  it('robust z ignores an outlier in the baseline and is floored for flat baselines', () => {
    const { z, center } = robustZ(1e9, [1e6, 1.1e6, 0.9e6, 1e6, 5e9]);
    expect(center).toBeCloseTo(1e6, -4);
    expect(z).toBeGreaterThan(10);
    expect(robustZ(1e6, [1e6, 1e6, 1e6]).z).toBe(0);
    expect(Number.isFinite(robustZ(2e6, [1e6, 1e6, 1e6]).z)).toBe(true);
  });

  it('trend is 1 for a steady rise and low for scattered bursts', () => {
    expect(trend([1, 2, 3, 4, 5, 6])).toBe(1);
    expect(trend([6, 5, 4, 3, 2, 1])).toBe(-1);
    expect(trend([120, 766, 123, 121, 1585, 334])).toBeLessThan(0.6);
    expect(trend([5, 5, 5, 5])).toBeLessThan(0.8); // flat: ties share ranks, no trend
  });
});
