/**
 * Decides, before any file is built, how many records each delivery unit
 * holds and where junk goes, so every file can then be built independently
 * from its own random stream.
 */
import type { AwsUnit } from './aws-writer.js';
import type { AzureUnit } from './azure-writer.js';
import { apportion, diurnal, hourOf } from './diurnal.js';
import { JUNK_KINDS, type JunkKind } from './junk.js';
import { pareto, rngFor, type Rng } from './prng.js';
import type { AwsFormat, Topology } from './topology.js';

export const STREAM = { topology: 0, plan: 1, junk: 2, aws: 3, azure: 4 } as const;

export interface Span { t0: number; t1: number }

const noise = (r: Rng): number => 0.85 + 0.3 * r();

export function planAws(topo: Topology, seed: number, span: Span, budgets: Record<AwsFormat, number>, junk: number): AwsUnit[] {
  const r = rngFor(seed, STREAM.plan, 0);
  const first = Math.floor(span.t0 / 300) * 300;
  const draft: { vpc: AwsUnit['vpc']; window: number; t0: number; t1: number; records: number }[] = [];
  for (const format of ['aws-v2', 'aws-v5'] as const) {
    const vpcs = topo.vpcs.filter((v) => v.format === format);
    const units: (typeof draft)[number][] = [];
    const weights: number[] = [];
    for (let w = first; w < span.t1; w += 300) {
      const t0 = Math.max(w, span.t0), t1 = Math.min(w + 300, span.t1);
      const dw = diurnal(hourOf((t0 + t1) / 2)) * ((t1 - t0) / 300);
      for (const vpc of vpcs) {
        units.push({ vpc, window: w, t0, t1, records: 0 });
        weights.push(vpc.weight * dw * noise(r));
      }
    }
    const counts = apportion(budgets[format], Float64Array.from(weights));
    units.forEach((u, i) => { u.records = counts[i]!; });
    draft.push(...units);
  }
  draft.sort((a, b) => a.window - b.window);

  const junkByUnit = draft.map((): JunkKind[] => []);
  if (junk > 0 && draft.length > 0) {
    const jr = rngFor(seed, STREAM.junk, 0);
    const withRecords = draft.map((u, i) => (u.records > 0 ? i : -1)).filter((i) => i >= 0);
    const pool = withRecords.length ? withRecords : draft.map((_, i) => i);
    for (let j = 0; j < junk; j++) junkByUnit[pool[(jr() * pool.length) | 0]!]!.push(JUNK_KINDS[j % JUNK_KINDS.length]!);
  }
  return draft
    .map((u, i) => ({ ...u, junk: junkByUnit[i]!, rng: rngFor(seed, STREAM.aws, i) }))
    .filter((u) => u.records > 0 || u.junk.length > 0);
}

export function planAzure(topo: Topology, seed: number, span: Span, budgets: { nsg: number; vnet: number }): AzureUnit[] {
  const r = rngFor(seed, STREAM.plan, 1);
  const firstHour = Math.floor(span.t0 / 3600) * 3600;
  const firstMinute = Math.floor(span.t0 / 60) * 60;
  const minutes = Math.ceil((span.t1 - firstMinute) / 60);
  const out: AzureUnit[] = [];
  let index = 0;
  for (const mode of ['nsg', 'vnet'] as const) {
    const nics = topo.vnets.filter((v) => v.mode === mode).flatMap((vnet) => vnet.nics.map((nic) => ({ vnet, nic, w: Math.min(20, pareto(r, 1, 1.4)) })));
    // Minute-major weights: cell (minute, nic).
    const weights = new Float64Array(minutes * nics.length);
    for (let m = 0; m < minutes; m++) {
      const ms = firstMinute + m * 60;
      const t0 = Math.max(ms, span.t0), t1 = Math.min(ms + 60, span.t1);
      const dw = diurnal(hourOf((t0 + t1) / 2)) * Math.max(0, (t1 - t0) / 60);
      for (let k = 0; k < nics.length; k++) weights[m * nics.length + k] = nics[k]!.w * dw * noise(r);
    }
    const counts = apportion(budgets[mode], weights);
    for (let hour = firstHour; hour < span.t1; hour += 3600) {
      for (let k = 0; k < nics.length; k++) {
        const perMinute = new Int32Array(60);
        let sum = 0;
        for (let i = 0; i < 60; i++) {
          const m = (hour + i * 60 - firstMinute) / 60;
          if (m < 0 || m >= minutes) continue;
          sum += perMinute[i] = counts[m * nics.length + k]!;
        }
        const { vnet, nic } = nics[k]!;
        if (sum > 0) out.push({ vnet, nic, hour, t0: Math.max(hour, span.t0), t1: Math.min(hour + 3600, span.t1), perMinute, rng: rngFor(seed, STREAM.azure, index) });
        index++;
      }
    }
  }
  return out;
}
