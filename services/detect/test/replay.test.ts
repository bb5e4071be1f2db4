/**
 * The replay of a past window (`flowlog detect --from --to`): it fires the
 * jobs of `flowlog run` at the times their crons would have, finds what those
 * passes find, and a second replay of the same (or an overlapping) window
 * adds no finding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectSchema } from '../../../schemas/detect.js';
import { withStore } from '../../../test/temp-store.js';
import { ingestPath } from '../../pipeline/ingest.js';
import type { FlowStore } from '../../store/store.js';
import { replaySchedule, scheduledTicks, stepTicks, type ReplayTick } from '../replay.js';
import { BREACH, FREQUENT, HOURLY } from '../run-detectors.js';
import { scheduleDetectors } from '../../run/schedules.js';
import { standardMetrics } from '../../telemetry/metrics.js';

const T = (hhmm: string) => new Date(`2026-11-20T${hhmm}:00Z`);
const iso = (ticks: { at: Date }[]) => ticks.map((t) => t.at.toISOString().slice(11, 16));
/** Without segmentation's minute runs alone (breach_schedule), which every minute adds. */
const passes = (ticks: ReplayTick[]) => ticks.filter((t) => !(t.breachesOnly && t.detectors.length === 1));

describe('replay ticks', () => {
  it('are the passes of the default schedules: scans and novelty every 15 min, egress at 5 past, after --from up to and including --to', () => {
    const all = scheduledTicks(detectSchema.parse({}), T('10:00'), T('11:00'));
    const ticks = passes(all);
    expect(iso(ticks)).toEqual(['10:05', '10:15', '10:30', '10:45', '11:00']);
    // at 10:05 the egress job meets segmentation's minute run: breaches only, as in flowlog run
    expect([...ticks[0]!.detectors].sort()).toEqual([...HOURLY, 'segmentation'].sort());
    expect(ticks[0]!.breachesOnly).toBe(true);
    expect(ticks[1]!.breachesOnly).toBeUndefined();
    expect(all.filter((t) => t.detectors.includes('segmentation'))).toHaveLength(60);
    expect([...ticks[1]!.detectors].sort()).toEqual([...FREQUENT].sort());
  });

  it('follow the configured crons; jobs due at the same instant are one pass with both sets of detectors', () => {
    const ticks = passes(scheduledTicks(detectSchema.parse({ schedule: '*/30 * * * *', egress_schedule: '0 * * * *' }), T('09:59'), T('11:00')));
    expect(iso(ticks)).toEqual(['10:00', '10:30', '11:00']);
    expect([...ticks[0]!.detectors].sort()).toEqual([...FREQUENT, ...HOURLY].sort());
    expect([...ticks[1]!.detectors].sort()).toEqual([...FREQUENT].sort());
  });

  it('fall on the times the crons of `flowlog run` fire, for any configured schedules', () => {
    for (const cfg of [{}, { schedule: '*/10 * * * *', egress_schedule: '7 */2 * * *' }, { schedule: '0 * * * *', egress_schedule: '0 * * * *' }]) {
      const c = detectSchema.parse(cfg);
      const crons = scheduleDetectors({} as FlowStore, c, standardMetrics());
      try {
        const fired = new Set<number>();
        for (const cron of crons) for (let t = cron.nextRun(T('10:00')); t && t <= T('16:00'); t = cron.nextRun(t)) fired.add(t.getTime());
        expect(scheduledTicks(c, T('10:00'), T('16:00')).map((x) => x.at.getTime())).toEqual([...fired].sort((a, b) => a - b));
      } finally {
        for (const cron of crons) cron.stop();
      }
    }
  });

  it('keep the fixed step of the demo and the evaluation (hourly detectors on hour marks)', () => {
    const ticks = stepTicks(T('10:00'), T('11:00'), 30);
    expect(iso(ticks)).toEqual(['10:30', '11:00']);
    expect(ticks[0]!.detectors).toEqual(FREQUENT);
    expect(ticks[1]!.detectors).toEqual([...FREQUENT, ...HOURLY]);
  });

  it('run the hourly detectors on every hour mark of a step longer than an hour (the demo\'s 2 hours)', () => {
    const ticks = stepTicks(T('10:00'), T('14:00'), 120);
    expect(iso(ticks)).toEqual(['11:00', '12:00', '13:00', '14:00']);
    expect(ticks.map((t) => t.detectors)).toEqual([HOURLY, [...FREQUENT, ...HOURLY], HOURLY, [...FREQUENT, ...HOURLY]]);
    // with segmentation's minute runs: the passed-over hour mark runs both, and finds breaches only
    const withBreaches = stepTicks(T('10:00'), T('12:00'), 120, true);
    expect(withBreaches).toHaveLength(120);
    expect(withBreaches.find((t) => iso([t])[0] === '11:00')).toEqual({ at: T('11:00'), detectors: [...HOURLY, ...BREACH], breachesOnly: true });
    expect(withBreaches.filter((t) => t.detectors.includes('egress_spike')).map((t) => iso([t])[0])).toEqual(['11:00', '12:00']);
    // a step that does not divide the hour passes over its mark too
    const odd = stepTicks(T('10:00'), T('12:00'), 45);
    expect(iso(odd)).toEqual(['10:45', '11:00', '11:30']);
    expect(odd.map((t) => t.detectors)).toEqual([FREQUENT, HOURLY, FREQUENT]);
  });
});

/** An external scanner: 60 ports refused at 10:07 and again at 10:20 (two scan windows, one episode). */
function scanLog(dir: string): string {
  const at = (hhmm: string) => T(hhmm).getTime() / 1000;
  const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  for (const t of [at('10:07'), at('10:20')]) {
    for (let k = 0; k < 60; k++) lines.push(`2 123456789012 eni-0a1b2c3d4e5f67890 45.155.1.2 10.1.0.${1 + (k % 30)} 50000 ${1 + k} 6 1 40 ${t} ${t + 10} REJECT OK`);
  }
  const path = join(dir, 'scan.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Merges keep only each episode's newest row: the replay must not need the older ones. */
const merge = (store: FlowStore) => store.queryText('OPTIMIZE TABLE anomalies FINAL', 'csv');
const episodes = (store: FlowStore) => store.queryRows<Record<string, string>>(
  `SELECT detector, entity, status, toString(first_seen) AS fs, toString(last_seen) AS ls, toString(detected_at) AS da FROM anomalies_current ORDER BY detector, entity, fs`);

describe('replaying a backfilled window', () => {
  it('finds what the scheduled passes would have, and a second or overlapping replay adds nothing', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-replay-'));
    try {
      await withStore(async (store) => {
        await ingestPath(store, scanLog(dir));
        const cfg = detectSchema.parse({});
        // the first pass of the scan job after 10:07 is 10:15: that is when `run` would have reported it
        const first = await replaySchedule(store, cfg, T('10:00'), T('10:40'));
        expect(first.runs).toBe(3); // 10:05 (egress), 10:15, 10:30
        expect(first.recorded.scan).toEqual({ opened: 1, updated: 1, resolved: 0, suppressed: 0 });
        await merge(store);
        expect(await episodes(store)).toEqual([
          { detector: 'scan', entity: 'src=45.155.1.2', status: 'open', fs: '2026-11-20 10:07:00.000', ls: '2026-11-20 10:20:10.000', da: '2026-11-20 10:15:00.000' },
        ]);
        // the whole morning, overlapping the first replay: the episode is the same one, resolved 2 h after it was last seen
        await replaySchedule(store, cfg, T('09:00'), T('13:00'));
        await merge(store);
        const after = await episodes(store);
        expect(after).toEqual([
          { detector: 'scan', entity: 'src=45.155.1.2', status: 'resolved', fs: '2026-11-20 10:07:00.000', ls: '2026-11-20 10:20:10.000', da: '2026-11-20 10:15:00.000' },
        ]);
        // the same window again: not a row more in what analysts read
        await replaySchedule(store, cfg, T('09:00'), T('13:00'));
        expect(await episodes(store)).toEqual(after);
        await merge(store);
        expect(await episodes(store)).toEqual(after);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
