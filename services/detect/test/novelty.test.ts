/**
 * New destinations and unusual ports, on flows written straight into the
 * store: only an established workload over the floor is judged; history reads
 * only the workloads over the floor now, yet what the owner's other (quiet)
 * workloads used in the week still makes a destination routine.
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { detectNovelty } from '../novelty.js';
import { chTime } from '../sql-text.js';
import type { FlowStore } from '../../store/store.js';

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12);

interface Flow { at: number; src: string; dst: string; port?: number; bytes: number; owner?: string; service?: string; action?: string; internal?: 0 | 1 }

const row = (f: Flow) => JSON.stringify({
  start_time: chTime(new Date(f.at)), end_time: chTime(new Date(f.at + 60_000)), src_addr: `::ffff:${f.src}`, dst_addr: `::ffff:${f.dst}`,
  dst_port: f.port ?? 443, protocol: 6, bytes: f.bytes, packets: 1, action: f.action ?? 'ACCEPT', src_is_internal: f.internal ?? 1, egress: 1,
  src_owner: f.owner ?? 'payments', dst_service: f.service ?? null,
});

async function seed(store: FlowStore, flows: Flow[]): Promise<void> {
  await store.insertJsonLines('flows', ['start_time', 'end_time', 'src_addr', 'dst_addr', 'dst_port', 'protocol', 'bytes', 'packets', 'action', 'src_is_internal', 'egress', 'src_owner', 'dst_service'],
    Buffer.from(flows.map(row).join('\n')), `novelty-${flows.length}`);
}

/** A workload's routine week: one small flow an hour to its usual destination and port. */
const routine = (src: string, dst: string, owner = 'payments', port = 443, internal: 0 | 1 = 1): Flow[] =>
  Array.from({ length: 6 * 24 }, (_, i) => ({ at: NOW - 2 * H - i * H, src, dst, port, bytes: 1e5, owner, internal }));

describe('novelty detectors', () => {
  it('a heavy workload to a /24 nobody of its team used is new; one its quiet teammate used last week is routine', async () => {
    await withStore(async (store) => {
      await seed(store, [
        ...routine('10.1.0.1', '52.1.1.10'),
        ...routine('10.1.0.2', '52.1.1.10'),
        // the quiet teammate, not over any floor now, went to 80.9.9.0/24 every hour last week
        ...routine('10.1.0.3', '80.9.9.7'),
        // a workload of another team that used 91.2.3.0/24: not the payments team's history
        ...routine('10.2.0.1', '91.2.3.4', 'search'),
        // the last hour: 10.1.0.1 sends 200 MB to a /24 new to the team, 10.1.0.2 sends 200 MB where its teammate always went
        { at: NOW - 30 * 60_000, src: '10.1.0.1', dst: '91.2.3.99', bytes: 200e6 },
        { at: NOW - 30 * 60_000, src: '10.1.0.2', dst: '80.9.9.200', bytes: 200e6 },
        // too little to matter
        { at: NOW - 20 * 60_000, src: '10.1.0.2', dst: '77.7.7.7', bytes: 1e6 },
        // a workload without history is a new workload, not a new destination
        { at: NOW - 30 * 60_000, src: '10.1.0.9', dst: '66.6.6.6', bytes: 500e6 },
      ]);
      const r = await detectNovelty(store, new Date(NOW));
      expect(r.destinations.map((f) => f.entity)).toEqual(['10.1.0.1->91.2.3.0/24']);
      expect(r.destinations[0]!.owner).toBe('payments');
    });
  });

  it('a port the workload never used, with enough flows, is unusual; its usual port and a rare new one are not', async () => {
    await withStore(async (store) => {
      const burst = (src: string, port: number, n: number): Flow[] => Array.from({ length: n }, (_, i) => ({ at: NOW - 40 * 60_000 + i * 1000, src, dst: `10.9.0.${1 + (i % 50)}`, port, bytes: 1000 }));
      await seed(store, [
        ...routine('10.1.0.1', '10.9.0.1', 'payments', 5432),
        ...routine('10.1.0.2', '10.9.0.1', 'payments', 22),
        ...burst('10.1.0.1', 22, 30), // 22 is its teammate's port, not its own
        ...burst('10.1.0.1', 5432, 30),
        ...burst('10.1.0.2', 3389, 5),
      ]);
      const r = await detectNovelty(store, new Date(NOW));
      expect(r.ports.map((f) => f.entity)).toEqual(['10.1.0.1:6/22']);
      expect(r.ports[0]!.observed).toBe(30);
    });
  });

  it('history is the hours a workload was an internal source; a port it used in any row of its week is not new', async () => {
    await withStore(async (store) => {
      const burst = (src: string, port: number): Flow[] => Array.from({ length: 30 }, (_, i) => ({ at: NOW - 40 * 60_000 + i * 1000, src, dst: '10.9.0.1', port, bytes: 1000 }));
      await seed(store, [
        // seen all week, but never as an internal source (the inventory learned of it today): no history, so no finding
        ...routine('10.1.0.4', '10.9.0.1', 'payments', 443, 0),
        ...burst('10.1.0.4', 8443),
        // established, and it used 9000 in its week, though in rows that were not marked internal
        ...routine('10.1.0.5', '10.9.0.1'),
        ...routine('10.1.0.5', '10.9.0.2', 'payments', 9000, 0),
        ...burst('10.1.0.5', 9000),
        ...burst('10.1.0.5', 7000),
      ]);
      const r = await detectNovelty(store, new Date(NOW));
      expect(r.ports.map((f) => f.entity)).toEqual(['10.1.0.5:6/7000']);
    });
  });
});
