/**
 * Estate B: a second, different estate for `npm run eval`, so that the
 * detectors are not tuned to one shape. Hub and spokes (a shared-services
 * hub VPC, two product VPCs in AWS; an analytics and a dev VNet in Azure),
 * few and busy workloads, logged as AWS v5 with a custom field order and as
 * Azure VNet flow logs (v4). Internal traffic is logged at both ends (the
 * client's interface and the server's, as both clouds do). 22 days from a
 * Monday, with a weekly pattern (quiet weekends, a weekly Sunday job) so that
 * the last days are judged on a seasonal baseline. Cold starts: a new service
 * ramping up over its first days, and a new workload noisy from the start,
 * both in established subnets and teams. Injected incidents: an exfiltration
 * step, a slow ramp (x1.5 per hour) that crosses the spike line, an upload to
 * a new /24, a vertical scan over several windows, a segmentation breach.
 * Inventory: a static IPAM file and the segmentation policy.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeContained, writeNoFollow } from '../core/contained-files.js';
import type { DetectorName } from '../detect/finding.js';
import { diurnal } from '../generate/diurnal.js';
import { OutputQueue } from '../generate/output.js';
import { hex, rngFor, type Rng } from '../generate/prng.js';
import { GROUND_TRUTH, type InjectedEvent } from '../generate/scenario.js';

const H = 3600, DAY = 86_400;
export const ESTATE_B_START = new Date('2026-10-05T00:00:00Z'); // a Monday
export const ESTATE_B_DAYS = 22;
const ACCOUNT = '210987654321', REGION = 'eu-central-1', AZ_REGION = 'germanywestcentral', SUB = '6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b';
/** A custom v5 field order (not AWS's default): what a team that chose its own --log-format delivers, header first. */
export const V5_CUSTOM = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action',
  'log-status', 'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'region', 'az-id', 'flow-direction', 'traffic-path'];

interface Net { name: string; cloud: 'aws' | 'azure'; cidr: string; owner: string; env: string; id: string; flowLog: string }
interface Sub { net: Net; name: string; cidr: string; segment: string; id: string }
interface Host { ip: string; sub: Sub; service: string; id: string; mac: string; az: string; instance: string; egressPerHour: number; dests: string[]; born: number }

interface Rec { t: number; at: Host; src: string; dst: string; sport: number; dport: number; proto: number; bytes: number; action: 'ACCEPT' | 'REJECT'; outbound: boolean }

const weekly = (t: number): number => { const d = new Date(t * 1000).getUTCDay(); return d === 0 ? 0.35 : d === 6 ? 0.45 : 1; };
const gauss = (r: Rng): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

function estate(r: Rng): { nets: Net[]; subs: Sub[]; hosts: Host[] } {
  const nets: Net[] = [
    { name: 'hub', cloud: 'aws', cidr: '10.50.0.0/16', owner: 'platform', env: 'prod', id: `vpc-${hex(r, 17)}`, flowLog: `fl-${hex(r, 17)}` },
    { name: 'checkout-prod', cloud: 'aws', cidr: '10.51.0.0/16', owner: 'checkout', env: 'prod', id: `vpc-${hex(r, 17)}`, flowLog: `fl-${hex(r, 17)}` },
    { name: 'catalog-prod', cloud: 'aws', cidr: '10.52.0.0/16', owner: 'catalog', env: 'prod', id: `vpc-${hex(r, 17)}`, flowLog: `fl-${hex(r, 17)}` },
    { name: 'vnet-analytics-prod', cloud: 'azure', cidr: '10.60.0.0/16', owner: 'analytics', env: 'prod', id: 'vnet-analytics-prod', flowLog: 'FL-ANALYTICS' },
    { name: 'vnet-dev', cloud: 'azure', cidr: '10.61.0.0/16', owner: 'catalog', env: 'dev', id: 'vnet-dev', flowLog: 'FL-DEV' },
  ];
  const layout: [net: number, sub: string, o3: number, segment: string, services: [string, number, number][]][] = [
    [0, 'shared', 1, 'app', [['dns', 2, 5e6], ['proxy', 3, 600e6], ['monitoring', 2, 40e6]]],
    [1, 'web', 1, 'dmz', [['storefront', 6, 150e6]]],
    [1, 'app', 2, 'app', [['checkout-api', 8, 120e6], ['payments-gw', 3, 60e6]]],
    [1, 'data', 3, 'data', [['orders-db', 3, 10e6]]],
    [2, 'web', 1, 'dmz', [['catalog-web', 4, 100e6]]],
    [2, 'app', 2, 'app', [['catalog-api', 6, 80e6], ['indexer', 4, 200e6]]],
    [2, 'data', 3, 'data', [['catalog-db', 3, 10e6]]],
    [3, 'app', 1, 'app', [['etl', 8, 250e6]]],
    [3, 'data', 2, 'data', [['warehouse', 4, 20e6]]],
    [4, 'app', 1, 'app', [['dev-box', 6, 30e6]]],
  ];
  const subs: Sub[] = [], hosts: Host[] = [];
  const used = new Set<string>();
  const pools: Record<string, string[]> = {};
  for (const [ni, name, o3, segment, services] of layout) {
    const net = nets[ni]!;
    const o2 = net.cidr.split('.')[1]!;
    const sub: Sub = { net, name: `${net.name}-${name}`, cidr: `10.${o2}.${o3}.0/24`, segment, id: net.cloud === 'aws' ? `subnet-${hex(r, 17)}` : `snet-${name}` };
    subs.push(sub);
    for (const [service, n, perHour] of services) {
      // each team's services talk to a few public /24s of their own (payment providers, CDNs, SaaS APIs)
      const pool = pools[net.owner] ??= Array.from({ length: 6 }, () => `${[34, 35, 104, 151, 185, 199][(r() * 6) | 0]}.${(r() * 250) | 0}.${(r() * 250) | 0}.`);
      for (let k = 0; k < n; k++) {
        let ip: string;
        do ip = `10.${o2}.${o3}.${10 + ((r() * 240) | 0)}`; while (used.has(ip));
        used.add(ip);
        hosts.push({
          ip, sub, service, id: net.cloud === 'aws' ? `eni-${hex(r, 17)}` : `nic-${service}-${k}`, mac: `00224${hex(r, 7).toUpperCase()}`, az: `euc1-az${1 + (k % 3)}`,
          instance: `i-${hex(r, 17)}`, egressPerHour: perHour * (0.5 + r()), dests: [0, 1, 2].map(() => `${pool[(r() * pool.length) | 0]!}${1 + ((r() * 250) | 0)}`), born: 0,
        });
      }
    }
  }
  return { nets, subs, hosts };
}

/** One flow as each end that logs it records it: the client's interface (outbound) and, when internal, the server's (inbound). */
function flow(out: Rec[], hosts: Map<string, Host>, t: number, src: string, dst: string, sport: number, dport: number, proto: number, bytes: number, action: Rec['action'] = 'ACCEPT'): void {
  const a = hosts.get(src), b = hosts.get(dst);
  const n = Math.round(bytes);
  if (a) out.push({ t, at: a, src, dst, sport, dport, proto, bytes: n, action, outbound: true });
  if (b) out.push({ t, at: b, src, dst, sport, dport, proto, bytes: n, action, outbound: false });
}

export async function writeEstateB(dir: string, flows: number, seed = 7): Promise<{ end: Date; events: InjectedEvent[] }> {
  const r = rngFor(seed, 1);
  const { nets, subs, hosts } = estate(r);
  const t0 = ESTATE_B_START.getTime() / 1000, t1 = t0 + ESTATE_B_DAYS * DAY;
  const day = (d: number, h: number) => t0 + d * DAY + h * H; // day 20 is a Sunday, 21 a Monday
  const events: InjectedEvent[] = [];
  const ev = (e: Omit<InjectedEvent, 'start' | 'end' | 'decoy'> & { s: number; e: number; decoy?: boolean }) => {
    const { s, e: end, decoy, ...rest } = e;
    events.push({ ...rest, start: new Date(s * 1000).toISOString(), end: new Date(end * 1000).toISOString(), decoy: decoy ?? false });
  };
  const keys = (h: Host) => [`workload=${h.ip}`, `subnet=${h.sub.name}`, `service=${h.service}`, `owner=${h.sub.net.owner}`, `${h.ip}->`, `${h.ip}:`, `src=${h.ip}`];
  const egressOK: DetectorName[] = ['new_destination', 'unusual_port'];

  // cold starts, in established subnets and teams: a new service ramping up over its first days, a new workload noisy from the start
  const byService = (s: string) => hosts.filter((h) => h.service === s);
  const recoSub = byService('catalog-api')[0]!.sub, noisySub = byService('etl')[0]!.sub;
  const reco: Host[] = [0, 1, 2].map((k) => ({ ...byService('catalog-api')[k]!, ip: `10.52.2.${241 + k}`, id: `eni-${hex(r, 17)}`, service: 'recommendations', sub: recoSub, egressPerHour: 250e6, born: day(19, 14) }));
  const noisy: Host = { ...byService('etl')[0]!, ip: '10.60.1.250', id: 'nic-etl-new', mac: '002248AA0001', sub: noisySub, egressPerHour: 400e6, born: day(20, 18) };
  hosts.push(...reco, noisy);
  ev({ id: 'cold-new-service', description: `cold start: new service recommendations (${reco.map((h) => h.ip).join(', ')}) ramping up over its first days`,
    expect: ['new_workload'], tolerate: [], s: day(19, 14), e: t1, entities: [...reco.flatMap(keys).filter((k) => !k.startsWith('subnet=') && !k.startsWith('owner=')), 'service=recommendations'], coldStart: true, decoy: true });
  ev({ id: 'cold-noisy-workload', description: `cold start: new etl workload ${noisy.ip}, noisy from the start`, expect: ['new_workload'], tolerate: [], s: day(20, 18), e: t1,
    entities: keys(noisy).filter((k) => !k.startsWith('subnet=') && !k.startsWith('owner=') && !k.startsWith('service=')), coldStart: true, decoy: true });
  // their arrival must not read as a rise of their subnet, service or owner either
  ev({ id: 'cold-arrivals-levels', description: 'the levels the cold starts arrived in', expect: [], tolerate: [], s: day(19, 14), e: t1,
    entities: [`subnet=${recoSub.name}`, `subnet=${noisySub.name}`, 'owner=catalog', 'owner=analytics', 'service=etl', 'service=catalog-api'], coldStart: true, decoy: true });

  const byIp = new Map(hosts.map((h) => [h.ip, h]));
  const recs: Rec[] = [];
  const hub = (s: string) => byService(s);
  const perHostHour = Math.max(2, Math.round(flows / (hosts.length * ESTATE_B_DAYS * 24 * 2)));
  for (let t = t0; t < t1; t += H) {
    const load = diurnal(((t % DAY) / H) + 0.5) * weekly(t);
    for (const h of hosts) {
      if (t < h.born) continue;
      let bytes = h.egressPerHour * load * Math.exp(0.2 * gauss(r));
      if (h.service === 'recommendations') bytes *= Math.min(1, 0.25 + (t - h.born) / (3 * DAY)); // rising over its first days, as users move over
      if (h === noisy) bytes = h.egressPerHour * Math.exp(1.1 * gauss(r)); // bursty, no rhythm yet
      if (h.service === 'dns' || h.service === 'monitoring') bytes *= 0.3;
      // egress, in a few flows to the team's usual destinations
      for (let k = 0; k < perHostHour; k++) flow(recs, byIp, t + ((r() * H) | 0), h.ip, h.dests[k % h.dests.length]!, 32768 + ((r() * 28000) | 0), 443, 6, Math.round(bytes / perHostHour));
      // internal: to the hub's DNS and proxy; app tiers to their database; logged at both ends
      flow(recs, byIp, t + ((r() * H) | 0), h.ip, hub('dns')[(r() * 2) | 0]!.ip, 32768 + ((r() * 28000) | 0), 53, 17, 400);
      const db = h.sub.segment === 'app' ? hosts.find((x) => x.sub.net === h.sub.net && x.sub.segment === 'data') : undefined;
      if (db) for (let k = 0; k < perHostHour; k++) flow(recs, byIp, t + ((r() * H) | 0), h.ip, db.ip, 32768 + ((r() * 28000) | 0), 5432, 6, Math.round(2e6 * load * (0.5 + r())));
      if (h.sub.segment === 'dmz') flow(recs, byIp, t + ((r() * H) | 0), `${81 + ((r() * 100) | 0)}.${(r() * 250) | 0}.${(r() * 250) | 0}.${1 + ((r() * 250) | 0)}`, h.ip, 32768 + ((r() * 28000) | 0), 443, 6, Math.round(5e5 * load));
    }
    // the internet's background probing: a denied packet or two per web host, from ever-changing sources
    for (const h of hosts.filter((x) => x.sub.segment === 'dmz')) if (r() < 0.3) flow(recs, byIp, t + ((r() * H) | 0), `${45 + ((r() * 40) | 0)}.${(r() * 250) | 0}.${(r() * 250) | 0}.${1 + ((r() * 250) | 0)}`, h.ip, 40000 + ((r() * 20000) | 0), [22, 23, 3389, 8080][(r() * 4) | 0]!, 6, 60, 'REJECT');
    // nightly database backups to the team's object storage endpoint, 01:00-02:00
    if ((t % DAY) / H === 1) for (const db of hosts.filter((x) => x.sub.segment === 'data')) flow(recs, byIp, t + 60, db.ip, `52.219.${db.sub.net.cidr.split('.')[1]}.20`, 40000, 443, 6, Math.round(4e9 * (0.7 + 0.6 * r())));
  }

  // decoy: the weekly Sunday export, 02:00-04:00, 8 GB/h to the same partner every week; the baseline knows Sundays
  const exporter = byService('etl')[1]!;
  for (let d = 6; d < ESTATE_B_DAYS; d += 7) for (let h = 2; h < 4; h++) for (let m = 0; m < 60; m += 5) flow(recs, byIp, day(d, h) + m * 60, exporter.ip, '35.190.27.14', 40000 + m, 443, 6, 8e9 / 12);
  ev({ id: 'decoy-weekly-export', description: `decoy: the weekly Sunday export from ${exporter.ip}`, expect: [], tolerate: [], s: day(20, 2), e: day(20, 4), entities: keys(exporter), decoy: true });

  // exfiltration step: 20 GB/h for 3 h from a checkout API host to a cloud range the team already uses
  {
    const h = byService('checkout-api')[2]!, s = day(21, 9);
    for (let m = 0; m < 180; m++) flow(recs, byIp, s + m * 60, h.ip, h.dests[0]!, 50000 + m, 443, 6, 20e9 / 60);
    ev({ id: 'b-step', description: `egress step: ${h.ip} sends 20 GB/h for 3 h`, expect: ['egress_spike'], tolerate: egressOK, s, e: s + 3 * H, entities: keys(h) });
  }
  // slow ramp: an indexer from 0.15 GB/h, x1.5 per hour for 8 hours (crosses the spike line on the way)
  {
    const h = byService('indexer')[1]!, s = day(20, 12);
    for (let k = 0; k < 8; k++) for (let m = 0; m < 60; m += 2) flow(recs, byIp, s + k * H + m * 60, h.ip, h.dests[1]!, 50000 + m, 443, 6, (0.15e9 * 1.5 ** k) / 30);
    ev({ id: 'b-ramp', description: `slow ramp: ${h.ip} from 0.15 GB/h, x1.5 per hour for 8 h`, expect: ['egress_ramp'], tolerate: egressOK, s, e: s + 8 * H, entities: keys(h) });
  }
  // an upload to a /24 nobody in the estate talks to
  {
    const h = byService('etl')[3]!, s = day(21, 3) + 20 * 60;
    for (let m = 0; m < 45; m++) flow(recs, byIp, s + m * 60, h.ip, '80.158.47.19', 51000 + m, 443, 6, 3e9 / 45);
    ev({ id: 'b-newdest', description: `new destination: ${h.ip} uploads 3 GB to 80.158.47.0/24`, expect: ['new_destination'], tolerate: ['egress_spike', 'egress_ramp'], s, e: s + 45 * 60, entities: keys(h) });
  }
  // a vertical scan of one warehouse host over 40 minutes, about 420 ports, from a dev box (both ends log it; the NSG refuses dev -> data)
  {
    const h = byService('dev-box')[2]!, target = byService('warehouse')[0]!, s = day(20, 22) + 7 * 60;
    for (let k = 0; k < 840; k++) flow(recs, byIp, s + Math.floor(k * 2400 / 840), h.ip, target.ip, 40000 + (k % 20000), 1 + ((k * 13) % 420), 6, 60, 'REJECT');
    ev({ id: 'b-scan', description: `vertical scan: ${h.ip} probes ~420 ports on ${target.ip} over 40 min`, expect: ['scan'], tolerate: ['unusual_port', 'segmentation'], s, e: s + 2400, entities: [...keys(h), 'nonprod->prod-data:any:attempt'] });
  }
  // segmentation breach: a dev box reaching the production orders database, accepted, logged at both ends (Azure -> AWS)
  {
    const h = byService('dev-box')[4]!, db = byService('orders-db')[0]!, s = day(21, 14) + 3 * 60;
    for (let k = 0; k < 12; k++) flow(recs, byIp, s + k * 25, h.ip, db.ip, 45000 + k, 5432, 6, 120_000);
    ev({ id: 'b-breach', description: `breach: dev ${h.ip} -> production database ${db.ip}:5432`, expect: ['segmentation'], tolerate: ['unusual_port'], s, e: s + 300, entities: ['nonprod->prod-data:', ...keys(h)], breach: true });
  }

  const flowsDir = join(dir, 'flows');
  await writeFlows(flowsDir, recs, nets, r);
  await writeNoFollow(join(flowsDir, GROUND_TRUTH), `${JSON.stringify({ seed, events }, null, 2)}\n`);
  await writeIpam(join(dir, 'ipam'), nets, subs, hosts);
  return { end: new Date(t1 * 1000), events };
}

async function writeFlows(out: string, recs: Rec[], nets: Net[], r: Rng): Promise<void> {
  await mkdir(out, { recursive: true });
  const q = new OutputQueue(out);
  const files = new Map<string, Rec[]>();
  for (const x of recs) {
    const hour = Math.floor(x.t / H) * H;
    const k = x.at.sub.net.cloud === 'aws' ? `aws|${x.at.sub.net.id}|${hour}` : `az|${x.at.id}|${hour}`;
    let l = files.get(k);
    if (!l) files.set(k, (l = []));
    l.push(x);
  }
  for (const [k, ls] of files) {
    ls.sort((a, b) => a.t - b.t);
    const hour = Number(k.split('|')[2]);
    const iso = new Date(hour * 1000).toISOString();
    const [y, m, d, hh] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
    const net = ls[0]!.at.sub.net;
    if (net.cloud === 'aws') {
      const path = `AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/${y}/${m}/${d}/${ACCOUNT}_vpcflowlogs_${REGION}_${net.flowLog}_${y}${m}${d}T${hh}00Z_${hex(r, 8)}.log.gz`;
      const lines = ls.map((x) => {
        const h = x.at, pk = Math.max(1, Math.round(x.bytes / 1200));
        const v: Record<string, string | number> = {
          version: 5, 'account-id': ACCOUNT, 'interface-id': h.id, srcaddr: x.src, dstaddr: x.dst, srcport: x.sport, dstport: x.dport, protocol: x.proto, packets: pk, bytes: x.bytes,
          start: x.t, end: x.t + 59, action: x.action, 'log-status': 'OK', 'vpc-id': net.id, 'subnet-id': h.sub.id, 'instance-id': h.instance, 'tcp-flags': x.action === 'REJECT' ? 2 : 19,
          type: 'IPv4', 'pkt-srcaddr': x.src, 'pkt-dstaddr': x.dst, region: REGION, 'az-id': h.az, 'flow-direction': x.outbound ? 'egress' : 'ingress', 'traffic-path': x.outbound && !x.dst.startsWith('10.') ? 8 : '-',
        };
        return V5_CUSTOM.map((f) => v[f]).join(' ');
      });
      await q.write(path, Buffer.from(`${V5_CUSTOM.join(' ')}\n${lines.join('\n')}\n`), true);
    } else {
      const h = ls[0]!.at;
      const flId = `/SUBSCRIPTIONS/${SUB.toUpperCase()}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_${AZ_REGION.toUpperCase()}/FLOWLOGS/${net.flowLog}`;
      const target = `/subscriptions/${SUB}/resourceGroups/rg-${net.name}/providers/Microsoft.Network/virtualNetworks/${net.name}`;
      const byMinute = new Map<number, Rec[]>();
      for (const x of ls) {
        const mm = Math.floor(x.t / 60) * 60;
        byMinute.set(mm, [...(byMinute.get(mm) ?? []), x]);
      }
      const records = [...byMinute].map(([mm, xs]) => {
        // VNet flow logs (v4): time in ms, direction, state (E ends an accepted flow, D is a denied one), encryption, counters both ways
        const tuple = (x: Rec) => `"${x.t * 1000},${x.src},${x.dst},${x.sport},${x.dport},${x.proto},${x.outbound ? 'O' : 'I'},${x.action === 'ACCEPT' ? 'E' : 'D'},NX,${Math.max(1, Math.round(x.bytes / 1200))},${x.bytes},1,200"`;
        const allow = xs.filter((x) => x.action === 'ACCEPT'), deny = xs.filter((x) => x.action !== 'ACCEPT');
        const groups = [allow.length ? `{"rule":"DefaultRule_AllowVnetOutBound","flowTuples":[${allow.map(tuple).join(',')}]}` : '', deny.length ? `{"rule":"DefaultRule_DenyAllInBound","flowTuples":[${deny.map(tuple).join(',')}]}` : ''].filter(Boolean);
        return `{"time":"${new Date(mm * 1000 + 59_000).toISOString()}","flowLogVersion":4,"flowLogGUID":"${SUB}","macAddress":"${h.mac}","category":"FlowLogFlowEvent","flowLogResourceID":"${flId}","targetResourceID":"${target}","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"${SUB}","flowGroups":[${groups.join(',')}]}]}}`;
      });
      const path = `insights-logs-flowlogflowevent/flowLogResourceID=/${SUB.toUpperCase()}/NETWORKWATCHERRG/NETWORKWATCHER_${AZ_REGION.toUpperCase()}/FLOWLOGS/${net.flowLog}/y=${y}/m=${m}/d=${d}/h=${hh}/m=00/macAddress=${h.mac}/PT1H.json`;
      await q.write(path, Buffer.from(`{"records":[${records.join('\r\n,')}]}`), false);
    }
  }
  await q.drain();
}

/** A static IPAM file (owners, environments, segments, subnets, and each host's service) and the segmentation policy. */
async function writeIpam(out: string, nets: Net[], subs: Sub[], hosts: Host[]): Promise<void> {
  const y = (o: Record<string, string>) => `  - { ${Object.entries(o).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  const ipam = ['# Estate B: hub and spokes. Unset attributes are inherited by more specific prefixes.', 'prefixes:',
    ...nets.map((n) => y({ cidr: n.cidr, name: n.name, vpc: n.id, owner: n.owner, env: n.env })),
    ...subs.map((s) => y({ cidr: s.cidr, subnet: s.name, segment: s.segment })),
    ...hosts.map((h) => y({ cidr: `${h.ip}/32`, service: h.service })), ''].join('\n');
  const enrich = ['enrich:', '  files: [ipam.yaml]', `  owners: [${[...new Set(nets.map((n) => n.owner))].join(', ')}]`, ''].join('\n');
  const policy = ['# Estate B: production data is off limits to dev', 'mode: enforce', 'segments:', '  prod-data: { match: { env: prod, segment: data } }',
    '  prod:      { match: { env: prod } }', '  nonprod:   { match: { env: dev } }', 'default: allow', 'rules:',
    '  - { name: nonprod-to-prod-data, from: nonprod, to: prod-data, action: deny }', ''].join('\n');
  await mkdir(out, { recursive: true });
  for (const [name, body] of [['ipam.yaml', ipam], ['enrich.yaml', enrich], ['policy.yaml', policy]] as const) await writeContained(out, name, body);
}
