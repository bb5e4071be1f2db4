/**
 * The egress detector's judgement, on hourly egress written straight into the
 * rollup: a rise that crosses the spike line is still a ramp, a new workload
 * is learning (one informational finding, no spike against its peers unless
 * the estate has never seen such volume, and no rise of its subnet), and one
 * workload's incident is one finding naming its subnet, service and owner.
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { detectEgress, risingRun, type HourEval } from '../egress.js';
import { chTime } from '../sql-text.js';
import type { FlowStore } from '../../store/store.js';

const H = 3_600_000;
const END = Date.UTC(2026, 10, 20, 12); // detection at 12:00: hours up to 11:00 are complete
const DAYS = 10;

interface W { ip: string; owner: string; service: string; subnet: string; bytes: (hour: number) => number; from?: number }

async function seed(store: FlowStore, ws: W[]): Promise<void> {
  const lines: string[] = [];
  for (let h = END - DAYS * 24 * H; h < END; h += H) {
    for (const w of ws) {
      if (w.from !== undefined && h < w.from) continue;
      const b = Math.round(w.bytes(h));
      if (b > 0) lines.push(JSON.stringify({ hour: chTime(new Date(h)).slice(0, 19), owner: w.owner, service: w.service, subnet: w.subnet, src_addr: `::ffff:${w.ip}`, bytes: b, packets: 1, flows: 1 }));
    }
  }
  await store.insertJsonLines('egress_1h', ['hour', 'owner', 'service', 'subnet', 'src_addr', 'bytes', 'packets', 'flows'], Buffer.from(lines.join('\n')), `t${ws.length}`);
}

/** A steady background: 50 MB an hour with a small wobble, per workload. */
const steady = (i: number) => (h: number) => 50e6 * (1 + 0.05 * Math.sin(h / H + i));
/** A team of workloads, and a database whose nightly backup (3 GB at 02:00) is the estate's largest hour. */
const team = (n: number, extra: Partial<W>[] = []): W[] => [
  ...Array.from({ length: n }, (_, i) => ({ ip: `10.1.0.${10 + i}`, owner: 'payments', service: 'api', subnet: 'subnet-a', bytes: steady(i), ...extra[i] })),
  { ip: '10.1.9.9', owner: 'payments', service: 'db', subnet: 'subnet-db', bytes: (h) => (new Date(h).getUTCHours() === 2 ? 3e9 : 5e6) },
];

describe('egress detector', () => {
  it('a steady rise that crosses the spike line is a ramp; a step is a spike', () => {
    const e = (mb: number[]): HourEval[] => mb.map((m, i) => ({ hour: i * H, observed: m * 1e6, expected: 20e6, z: 5, basis: 'daily' }));
    expect(risingRun(e([20, 100, 300, 500]), { rampGrowth: 2 }).map((x) => x.observed / 1e6)).toEqual([100, 300, 500]);
    expect(risingRun(e([20, 40_000, 40_100]), { rampGrowth: 2 })).toEqual([]);
    expect(risingRun(e([20, 20_000, 40_000]), { rampGrowth: 2 })).toEqual([]); // a step that began mid-hour: one jump, not a slope
  });

  it('reports a rise of x1.6 per hour as a ramp, even once it is over the spike line', async () => {
    await withStore(async (store) => {
      const start = END - 5 * H;
      await seed(store, team(6, [{ bytes: (h) => steady(0)(h) + (h >= start ? 150e6 * 1.6 ** ((h - start) / H) : 0) }]));
      const r = await detectEgress(store, new Date(END), { kinds: ['workload'] });
      expect(r.spikes).toEqual([]);
      expect(r.ramps.map((f) => f.entity)).toEqual(['workload=10.1.0.10']);
    });
  });

  it('one workload exfiltrating is one finding, naming its subnet, service and owner', async () => {
    await withStore(async (store) => {
      await seed(store, team(6, [{ bytes: (h) => steady(0)(h) + (h >= END - 3 * H ? 30e9 : 0) }]));
      const r = await detectEgress(store, new Date(END));
      expect(r.ramps).toEqual([]);
      expect(r.spikes).toHaveLength(1);
      const f = r.spikes[0]!;
      expect(f.entity).toBe('workload=10.1.0.10');
      expect(f.labels).toMatchObject({ levels: 'workload,subnet,service,owner', subnet: 'subnet-a', service: 'api', owner: 'payments' });
      expect(f.summary).toContain('one incident, seen at workload, subnet, service, owner level');
      expect(f.summary).toMatch(/episode: 90 GB in 3 h since 2026-11-20 09:00 UTC/);
    });
  });

  it('a new workload is learning: one informational finding, no spike against its peers, no rise of its subnet', async () => {
    await withStore(async (store) => {
      // arrives 3 hours before the end, at 30x its peers' volume (6x their subnet's), in their subnet and team
      const arrival = END - 3 * H;
      await seed(store, [...team(6), { ip: '10.1.0.99', owner: 'payments', service: 'api', subnet: 'subnet-a', bytes: () => 1.5e9, from: arrival }]);
      const r = await detectEgress(store, new Date(END));
      expect([...r.spikes, ...r.ramps]).toEqual([]);
      expect(r.newWorkloads.map((f) => [f.entity, f.severity, f.labels.baseline])).toEqual([['workload=10.1.0.99', 'info', 'learning']]);
      expect(r.newWorkloads[0]!.summary).toMatch(/learning its baseline until 2026-11-23 09:00 UTC/);
    });
  });

  it('a new workload with volume extreme for the whole estate is still a spike', async () => {
    await withStore(async (store) => {
      await seed(store, [...team(6), { ip: '10.1.0.99', owner: 'payments', service: 'api', subnet: 'subnet-a', bytes: (h) => (h >= END - 3 * H ? 40e9 : 50e6), from: END - 30 * H }]);
      const r = await detectEgress(store, new Date(END));
      expect(r.spikes.map((f) => [f.entity, f.labels.baseline])).toEqual([['workload=10.1.0.99', 'learning']]);
      expect(r.spikes[0]!.summary).toContain('extreme for the whole estate');
    });
  });

  it('a workload that only now sends to the internet, but has talked inside for days, is not new', async () => {
    await withStore(async (store) => {
      await seed(store, [...team(6), { ip: '10.1.0.77', owner: 'payments', service: 'db', subnet: 'subnet-db', bytes: () => 300e6, from: END - 20 * H }]);
      // seen only as the destination of its clients until now
      await store.insertJsonLines('flows', ['start_time', 'end_time', 'src_addr', 'dst_addr', 'bytes'],
        Buffer.from(JSON.stringify({ start_time: chTime(new Date(END - 9 * 24 * H)), end_time: chTime(new Date(END - 9 * 24 * H)), src_addr: '::ffff:10.1.0.10', dst_addr: '::ffff:10.1.0.77', bytes: 1000 })), 'f1');
      expect((await detectEgress(store, new Date(END))).newWorkloads).toEqual([]);
    });
  });

  it('a new address that sends next to nothing is no news', async () => {
    await withStore(async (store) => {
      await seed(store, [...team(6), { ip: '10.1.0.66', owner: 'payments', service: 'api', subnet: 'subnet-a', bytes: () => 1e6, from: END - 20 * H }]);
      expect((await detectEgress(store, new Date(END))).newWorkloads).toEqual([]);
    });
  });

  it('the estate\'s own first days are no new workloads', async () => {
    await withStore(async (store) => {
      await seed(store, team(6).map((w) => ({ ...w, from: END - 40 * H })));
      expect((await detectEgress(store, new Date(END))).newWorkloads).toEqual([]);
    });
  });
});
