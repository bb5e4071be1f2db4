/**
 * Injected anomalies for evaluating the detectors, on top of the generator's
 * normal traffic: egress steps of several sizes, a slow ramp, new
 * destinations, an unusual port, an external and an internal scan, and
 * benign decoys (a new workload, the nightly backups already in the
 * background). Written as extra AWS v2 flow-log files in the real layout, with
 * a ground-truth file (`_ground-truth.json`, skipped by ingest) saying, per
 * event, which detectors must find it and which may.
 */
import { join } from 'node:path';
import { writeNoFollow } from '../core/contained-files.js';
import type { DetectorName } from '../detect/finding.js';
import { OutputQueue } from './output.js';
import { STREAM } from './plan.js';
import { rngFor, hex, type Rng } from './prng.js';
import { buildTopology, type Eni, type Vpc } from './topology.js';

export interface InjectedEvent {
  id: string;
  description: string;
  /** Detectors that must find it (for a decoy only informational ones: nothing may alert on it). */
  expect: DetectorName[];
  /** Detectors whose findings about it are right, though not required. */
  tolerate: DetectorName[];
  start: string;
  end: string;
  /** Entity keys a finding about this event may carry (exact, or as a prefix ending in -> or :). */
  entities: string[];
  decoy: boolean;
  /** A workload in its cold start: only informational findings (new_workload) may be about it. */
  coldStart?: boolean;
  /** A segmentation breach (accepted traffic a deny rule forbids): its detection latency has its own target. */
  breach?: boolean;
}

export const GROUND_TRUTH = '_ground-truth.json';
const H = 3600;

export interface Line { t: number; eni: Eni; vpc: Vpc; src: string; dst: string; sport: number; dport: number; proto: number; bytes: number; action: 'ACCEPT' | 'REJECT' }

export function workloadKeys(vpc: Vpc, e: Eni, owner: string | null): string[] {
  return [`workload=${e.ip}`, `subnet=${e.subnetId}`, `service=${e.role}`, ...(owner ? [`owner=${owner}`] : []), `${e.ip}->`, `${e.ip}:`, `src=${e.ip}`, `vpc=${vpc.id}`];
}

/** Flows moving `bytes` from a workload to `dst` over [t0, t1), one per minute (what a chatty transfer looks like in 1-minute aggregation). */
export function transfer(r: Rng, vpc: Vpc, eni: Eni, dst: string, dport: number, t0: number, t1: number, bytes: number): Line[] {
  const minutes = Math.max(1, Math.floor((t1 - t0) / 60));
  return Array.from({ length: minutes }, (_, m) => ({
    t: t0 + m * 60, vpc, eni, src: eni.ip, dst, sport: 32768 + Math.floor(r() * 28000), dport, proto: 6, bytes: Math.round(bytes / minutes), action: 'ACCEPT' as const,
  }));
}

export async function writeScenario(out: string, seed: number, spanStart: Date, hours: number, owners: (vpc: Vpc) => string | null): Promise<InjectedEvent[]> {
  const topo = buildTopology(rngFor(seed, STREAM.topology));
  const r = rngFor(seed, 99);
  const t0 = Math.floor(spanStart.getTime() / 1000);
  const day = (d: number, h: number) => t0 + (Math.floor(hours / 24) - 1 - d) * 24 * H + h * H; // hour h of the day d days before the span's last day
  const api = (vi: number, k = 0) => { const v = topo.vpcs[vi]!; return { vpc: v, eni: v.enis.filter((e) => e.role === 'api')[k]! }; };
  const events: InjectedEvent[] = [];
  const lines: Line[] = [];
  const ev = (id: string, description: string, expect: DetectorName[], tolerate: DetectorName[], s: number, e: number, entities: string[], decoy = false) =>
    events.push({ id, description, expect, tolerate, start: new Date(s * 1000).toISOString(), end: new Date(e * 1000).toISOString(), entities, decoy });
  const egressTolerated: DetectorName[] = ['egress_spike', 'egress_ramp', 'new_destination'];

  // egress steps of several sizes, to addresses in ranges the estate already uses (so they are not also "new destinations")
  for (const [i, gbPerHour, hrs, vi] of [[1, 40, 3, 0], [2, 8, 2, 2], [3, 2, 3, 4]] as const) {
    const { vpc, eni } = api(vi, 1);
    const s = day(1, 9 + i), e = s + hrs * H;
    lines.push(...transfer(r, vpc, eni, `54.239.${(r() * 250) | 0}.${1 + ((r() * 250) | 0)}`, 443, s, e, gbPerHour * 1e9 * hrs));
    ev(`step-${i}`, `egress step: ${eni.ip} sends ${gbPerHour} GB/h for ${hrs} h`, ['egress_spike'], egressTolerated, s, e, workloadKeys(vpc, eni, owners(vpc)));
  }
  // a slow ramp over 8 hours, 100 MB/h rising to 1.5 GB/h
  {
    const { vpc, eni } = api(6, 1);
    const s = day(1, 12);
    for (let h = 0; h < 8; h++) lines.push(...transfer(r, vpc, eni, `52.46.${(r() * 250) | 0}.${1 + ((r() * 250) | 0)}`, 443, s + h * H, s + (h + 1) * H, (0.1 + 0.2 * h) * 1e9));
    ev('ramp-1', `slow ramp: ${eni.ip} from 0.1 to 1.5 GB/h over 8 h`, ['egress_ramp'], egressTolerated, s, s + 8 * H, workloadKeys(vpc, eni, owners(vpc)));
  }
  // new destinations: 400 MB to a /24 the estate never talks to
  for (const [i, vi] of [[1, 1], [2, 3]] as const) {
    const { vpc, eni } = api(vi, 2);
    const s = day(0, 6 + 3 * i), e = s + 40 * 60;
    lines.push(...transfer(r, vpc, eni, `185.220.${100 + i}.${10 + i}`, 443, s, e, 400e6));
    ev(`newdest-${i}`, `new destination: ${eni.ip} sends 400 MB to 185.220.${100 + i}.0/24`, ['new_destination'], egressTolerated, s, e, workloadKeys(vpc, eni, owners(vpc)));
  }
  // an unusual port: IRC from a web server
  {
    const v = topo.vpcs[0]!, eni = v.enis.find((x) => x.role === 'web')!;
    const s = day(0, 14);
    for (let k = 0; k < 60; k++) lines.push({ t: s + k * 30, vpc: v, eni, src: eni.ip, dst: `91.121.${(k % 4) + 10}.7`, sport: 40000 + k, dport: 6667, proto: 6, bytes: 4000, action: 'ACCEPT' });
    ev('port-1', `unusual port: ${eni.ip} opens 60 flows to port 6667`, ['unusual_port'], ['new_destination'], s, s + 1800, workloadKeys(v, eni, owners(v)));
  }
  // an external scan: 300 ports on 50 hosts in 10 minutes, refused
  {
    const v = topo.vpcs[2]!, scanner = `45.155.${(r() * 250) | 0}.${1 + ((r() * 250) | 0)}`;
    const s = day(0, 3);
    for (let k = 0; k < 600; k++) {
      const eni = v.enis[k % v.enis.length]!;
      lines.push({ t: s + k, vpc: v, eni, src: scanner, dst: eni.ip, sport: 50000 + (k % 1000), dport: 1 + ((k * 7) % 300), proto: 6, bytes: 40, action: 'REJECT' });
    }
    ev('scan-ext', `external scan from ${scanner}`, ['scan'], [], s, s + 600, [`src=${scanner}`]);
  }
  // an internal scan: a batch host sweeping its VPC on 30 admin ports
  {
    const v = topo.vpcs[4]!, eni = v.enis.find((x) => x.role === 'batch')!;
    const s = day(0, 16);
    for (let k = 0; k < 400; k++) {
      const target = v.enis[k % v.enis.length]!;
      lines.push({ t: s + k, vpc: v, eni, src: eni.ip, dst: target.ip, sport: 40000 + k, dport: [22, 23, 445, 3389, 5432, 6379, 8080, 9200, 27017, 5900][k % 10]! + (k % 3) * 10000, proto: 6, bytes: 44, action: k % 9 === 0 ? 'ACCEPT' : 'REJECT' });
    }
    ev('scan-int', `internal scan from ${eni.ip}`, ['scan'], ['unusual_port'], s, s + 400, workloadKeys(v, eni, owners(v)));
  }
  // segmentation: a staging host reaching a production database (accepted: a breach), another one trying (refused: an attempt)
  {
    const prod = topo.vpcs[0]!, db = prod.enis.find((x) => x.role === 'db')!;
    for (const [id, vi, action, s0] of [['seg-breach', 4, 'ACCEPT', day(0, 10)], ['seg-attempt', 5, 'REJECT', day(1, 20)]] as const) {
      const v = topo.vpcs[vi]!, eni = v.enis.find((x) => x.role === 'api')!;
      for (let k = 0; k < 25; k++) lines.push({ t: s0 + k * 20, vpc: v, eni, src: eni.ip, dst: db.ip, sport: 45000 + k, dport: 5432, proto: 6, bytes: action === 'ACCEPT' ? 90_000 : 60, action });
      ev(id, `${action === 'ACCEPT' ? 'breach' : 'attempt'}: staging ${eni.ip} -> production database ${db.ip}:5432`, ['segmentation'], [], s0, s0 + 500, ['nonprod->prod-data:'], false);
      if (action === 'ACCEPT') events[events.length - 1]!.breach = true;
    }
  }
  // decoy: a new workload, unknown to the inventory, talking to new places at a modest rate: one informational new_workload finding, no alert
  {
    const v = topo.vpcs[7]!, eni = { ...v.enis[0]!, ip: `10.${10 * 8}.30.77` };
    const s = day(0, 8);
    for (let h = 0; h < 5; h++) lines.push(...transfer(r, v, eni, `151.101.${40 + h}.9`, 443, s + h * H, s + (h + 1) * H, 120e6));
    ev('decoy-new-workload', `decoy: new workload ${eni.ip} sends 120 MB/h for 5 h`, ['new_workload'], [], s, s + 5 * H, workloadKeys(v, eni, owners(v)), true);
    events[events.length - 1]!.coldStart = true;
  }
  await writeLines(out, lines, r);
  await writeNoFollow(join(out, GROUND_TRUTH), `${JSON.stringify({ seed, events }, null, 2)}\n`);
  return events;
}

/** One v2 file per (VPC, 5-minute window), in the AWS key layout, beside the background files. */
export async function writeLines(out: string, lines: Line[], r: Rng): Promise<void> {
  const groups = new Map<string, Line[]>();
  for (const l of lines) {
    const w = Math.floor(l.t / 300) * 300;
    const k = `${l.vpc.id}|${w}`;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  const q = new OutputQueue(out);
  for (const [k, ls] of groups) {
    const vpc = ls[0]!.vpc, w = Number(k.split('|')[1]);
    const iso = new Date(w * 1000).toISOString();
    const [y, m, d, hm] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13) + iso.slice(14, 16)];
    const path = `AWSLogs/${vpc.account}/vpcflowlogs/${vpc.region}/${y}/${m}/${d}/${vpc.account}_vpcflowlogs_${vpc.region}_${vpc.flowLogId}_${y}${m}${d}T${hm}Z_inj${hex(r, 6)}.log.gz`;
    const body = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      ...ls.map((l) => `2 ${vpc.account} ${l.eni.id} ${l.src} ${l.dst} ${l.sport} ${l.dport} ${l.proto} ${Math.max(1, Math.round(l.bytes / 1200))} ${l.bytes} ${l.t} ${l.t + 59} ${l.action} OK`)].join('\n');
    await q.write(path, Buffer.from(`${body}\n`), true);
  }
  await q.drain();
}
