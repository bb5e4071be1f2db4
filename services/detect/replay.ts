/**
 * The detector schedule replayed over stored history, as if flowlog had been
 * running: for a backfill, the demo, and the evaluation. Each step runs the
 * frequent detectors over its own span; the hourly ones run on hour marks.
 */
import type { FlowStore } from '../store/store.js';
import { DETECTORS, type DetectorName } from './finding.js';
import { BREACH, FREQUENT, HOURLY, runDetectors, type DetectSettings } from './run-detectors.js';
import { chTime } from './sql-text.js';

export async function replayDetectors(store: FlowStore, from: Date, to: Date, stepMinutes: number, s: DetectSettings = {}, onStep?: (done: number, total: number) => void): Promise<void> {
  const step = stepMinutes * 60_000;
  const total = Math.ceil((to.getTime() - from.getTime()) / step);
  // scans look back one step, so consecutive steps cover the span without gaps; novelty keeps its own (longer) window
  const settings: DetectSettings = { ...s, novelty: { windowMinutes: Math.max(60, stepMinutes), ...s.novelty }, scan: { windowMinutes: stepMinutes, ...s.scan } };
  // segmentation also runs on its own minute schedule (breach_schedule): replayed after each minute that recorded a violation, the only runs that can find one sooner
  const breachRuns = (await store.queryRows<{ m: number }>(
    'SELECT DISTINCT toUnixTimestamp(toStartOfMinute(time)) * 1000 + 60000 AS m FROM policy_violations WHERE time >= {f:DateTime64(3)} AND time < {t:DateTime64(3)} AND observe = 0 ORDER BY m',
    { f: chTime(new Date(from.getTime())), t: chTime(to) })).map((r) => Number(r.m)).filter((m) => m % step !== 0);
  let i = 0, b = 0;
  for (let now = from.getTime() + step; now <= to.getTime(); now += step) {
    for (; b < breachRuns.length && breachRuns[b]! < now; b++) {
      if (!(s.disabled ?? []).includes('segmentation')) await runDetectors(store, new Date(breachRuns[b]!), { ...settings, breachesOnly: true, disabled: DETECTORS.filter((d) => !BREACH.includes(d)) });
    }
    const hourly = now % 3_600_000 === 0;
    const disabled = DETECTORS.filter((d) => (s.disabled ?? []).includes(d) || !(FREQUENT.includes(d) || (hourly && HOURLY.includes(d)))) as DetectorName[];
    await runDetectors(store, new Date(now), { ...settings, disabled });
    onStep?.(++i, total);
  }
}
