/**
 * Flows, bytes and denials per bucket across the whole window, empty buckets
 * included (a gap is information). Per minute up to a day; longer windows get
 * coarser buckets so the series stays under ~1,500 points.
 */
import type { FlowStore } from '../store/store.js';
import type { Scoped } from './target-flows.js';
import type { TimeWindow } from './time-window.js';

export interface TimelinePoint { t: string; flows: number; bytes: number; denied: number }
export interface Timeline { bucket_seconds: number; points: TimelinePoint[] }

const STEPS = [60, 300, 900, 3600, 6 * 3600, 86400];

export function bucketSeconds(w: TimeWindow): number {
  const span = (w.until.getTime() - w.since.getTime()) / 1000;
  return STEPS.find((s) => span / s <= 1500) ?? 86400;
}

export async function timelineOf(store: FlowStore, tf: Scoped, w: TimeWindow): Promise<Timeline> {
  const step = bucketSeconds(w);
  const rows = await store.queryRows<{ t: number; flows: number; bytes: number; denied: number }>(
    `SELECT toUnixTimestamp(toStartOfInterval(start_time, toIntervalSecond({step:UInt32}))) AS t,
       count() AS flows, sum(sent + received) AS bytes, countIf(action = 'REJECT') AS denied
     FROM (${tf.sql}) GROUP BY t ORDER BY t`, { ...tf.params, step });
  const byT = new Map(rows.map((r) => [Number(r.t), r]));
  const points: TimelinePoint[] = [];
  for (let s = Math.floor(w.since.getTime() / 1000 / step) * step; s * 1000 < w.until.getTime(); s += step) {
    const r = byT.get(s);
    points.push({ t: new Date(s * 1000).toISOString(), flows: Number(r?.flows ?? 0), bytes: Number(r?.bytes ?? 0), denied: Number(r?.denied ?? 0) });
  }
  return { bucket_seconds: step, points };
}
