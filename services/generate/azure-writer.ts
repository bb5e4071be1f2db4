/**
 * One Azure blob (PT1H.json) for one NIC and one hour: a record per active
 * minute, tuples grouped by rule. NSG (v2) and VNet (v4) flow logs share the
 * flow model and differ in tuple syntax and record envelope.
 */
import { backupShare, hourOf, scanShare } from './diurnal.js';
import { between, type Rng } from './prng.js';
import type { Internet, Nic, Vnet } from './topology.js';
import { type Conv, Kind, newConv, nextConv, TCP, type TrafficCtx } from './traffic.js';
import type { BuiltFile } from './aws-writer.js';

export interface AzureUnit {
  readonly vnet: Vnet;
  readonly nic: Nic;
  /** Hour start (aligned) and the part of it inside the span. */
  readonly hour: number;
  readonly t0: number;
  readonly t1: number;
  /** Tuples per minute of the hour. */
  readonly perMinute: Int32Array;
  readonly rng: Rng;
}

const RULES = [
  'DefaultRule_AllowInternetOutBound', 'DefaultRule_AllowVnetOutBound', 'DefaultRule_AllowVnetInBound',
  'UserRule_AllowHttpsInbound', 'UserRule_AllowSshFromCorp', 'UserRule_DenyCrossTier', 'DefaultRule_DenyAllInBound',
];

/** A flow still open at a minute boundary: reported as C each minute, then E. */
interface Open { rule: number; head: string; reqPk: number; reqBy: number; rspPk: number; rspBy: number; ttl: number }

function ymdh(sec: number): [string, string, string, string] {
  const iso = new Date(sec * 1000).toISOString();
  return [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
}

function azurePath(u: AzureUnit): string {
  const [y, m, d, h] = ymdh(u.hour);
  const tail = `/y=${y}/m=${m}/d=${d}/h=${h}/m=00/macAddress=${u.nic.mac}/PT1H.json`;
  if (u.vnet.mode === 'nsg') return `insights-logs-networksecuritygroupflowevent/resourceId=${u.nic.nsg.resourceId}${tail}`;
  const REGION = u.vnet.region.toUpperCase();
  return `insights-logs-flowlogflowevent/flowLogResourceID=/${u.vnet.sub.toUpperCase()}/NETWORKWATCHERRG/NETWORKWATCHER_${REGION}/FLOWLOGS/${u.vnet.flowLog.name}${tail}`;
}

function ruleOf(c: Conv, focusIsClient: boolean): number {
  if (c.kind === Kind.Scan) return 6;
  if (c.kind === Kind.Deny) return 5;
  if (c.cHost === null) return c.sPort === 22 ? 4 : 3;
  if (c.sHost === null) return 0;
  return focusIsClient ? 1 : 2;
}

const scaled = (pk: number, by: number, f: number): [number, number] => {
  const p = Math.max(1, Math.round(pk * f));
  return [p, Math.round((by / pk) * p)];
};

export function buildAzureFile(u: AzureUnit, internet: Internet): BuiltFile {
  const { vnet, nic, rng: r } = u;
  const nsgMode = vnet.mode === 'nsg';
  const ctx: TrafficCtx = { r, site: vnet, internet, cloud: 'azure', allowIcmp: !nsgMode, pScan: 0, pBackup: 0 };
  const c = newConv();
  const open: Open[] = [];
  const groups: string[][] = RULES.map(() => []);
  const records: string[] = [];
  const [y, mo, d, h] = ymdh(u.hour);
  const stamp = `${y}-${mo}-${d}T${h}:`;
  const mac = nic.mac;
  const envelopeHead = nsgMode
    ? `","systemId":"${nic.nsg.systemId}","macAddress":"${mac}","category":"NetworkSecurityGroupFlowEvent","resourceId":"${nic.nsg.resourceId}","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[`
    : `","flowLogVersion":4,"flowLogGUID":"${vnet.flowLog.guid}","macAddress":"${mac}","category":"FlowLogFlowEvent","flowLogResourceID":"${vnet.flowLog.resourceId}","targetResourceID":"${vnet.flowLog.targetId}","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"${nic.nsg.aclId}","flowGroups":[`;
  const envelopeTail = nsgMode ? ']}}' : ']}]}}';
  let total = 0;
  let times = new Float64Array(0), j = 0;
  const push = (rule: number, head: string, state: string, a: number, b: number, cc: number, dd: number): void => {
    const t = times[j++]!;
    groups[rule]!.push(nsgMode
      ? (state === 'B' ? `"${t},${head},B,,,,"` : `"${t},${head},${state},${a},${b},${cc},${dd}"`)
      : `"${t},${head.slice(0, -2)},${state},${head.slice(-2) === ',X' ? 'X' : 'NX'},${a},${b},${cc},${dd}"`);
  };

  for (let m = 0; m < 60; m++) {
    const k = u.perMinute[m]!;
    if (k === 0) continue;
    const mStart = Math.max(u.hour + m * 60, u.t0), mEnd = Math.min(u.hour + m * 60 + 60, u.t1);
    // Integer seconds (NSG) or milliseconds (VNet), sorted so each group reads in time order.
    times = new Float64Array(k);
    const lo = nsgMode ? mStart : mStart * 1000, width = nsgMode ? Math.max(1, mEnd - mStart - 1) : Math.max(1, (mEnd - mStart - 1) * 1000);
    for (let i = 0; i < k; i++) times[i] = lo + ((r() * width) | 0);
    times.sort();
    j = 0;
    const hourFrac = hourOf(mStart);
    ctx.pScan = scanShare(hourFrac);
    ctx.pBackup = backupShare(hourFrac);

    for (let i = 0; i < open.length && j < k;) {
      const o = open[i]!;
      if (o.ttl <= 0) {
        push(o.rule, o.head, 'E', o.reqPk, o.reqBy, o.rspPk, o.rspBy);
        open.splice(i, 1);
      } else {
        const f = 0.3 + r() * 0.9;
        const [p1, b1] = scaled(o.reqPk, o.reqBy, f), [p2, b2] = scaled(o.rspPk, o.rspBy, f);
        push(o.rule, o.head, 'C', p1, b1, p2, b2);
        o.ttl--; i++;
      }
    }
    while (j < k) {
      nextConv(ctx, c, nic);
      const focusIsClient = c.cHost === nic;
      const rule = ruleOf(c, focusIsClient);
      const dir = focusIsClient ? 'O' : 'I';
      // A VNet head ends in ",X" or ",N" (encryption) so a flow kept open keeps it; push() expands it to X/NX.
      const enc = vnet.encrypted && c.cHost !== null && c.sHost !== null ? ',X' : ',N';
      if (nsgMode) {
        const head = `${c.cIp},${c.sIp},${c.cPort},${c.sPort},${c.proto === TCP ? 'T' : 'U'},${dir},${c.accepted ? 'A' : 'D'}`;
        push(rule, head, 'B', 0, 0, 0, 0);
        if (c.accepted) settle(r, open, j < k, rule, head, c, push);
      } else {
        const head = `${c.cIp},${c.sIp},${c.cPort},${c.sPort},${c.proto},${dir}${enc}`;
        push(rule, head, c.accepted ? 'B' : 'D', 0, 0, 0, 0);
        if (c.accepted) settle(r, open, j < k, rule, head, c, push);
      }
    }

    const parts: string[] = [];
    for (let g = 0; g < groups.length; g++) {
      const ts = groups[g]!;
      if (ts.length === 0) continue;
      parts.push(nsgMode
        ? `{"rule":"${RULES[g]}","flows":[{"mac":"${mac}","flowTuples":[${ts.join(',')}]}]}`
        : `{"rule":"${RULES[g]}","flowTuples":[${ts.join(',')}]}`);
      total += ts.length;
      groups[g] = [];
    }
    const frac = String((r() * 1e7) | 0).padStart(7, '0');
    const mm = String((mStart % 3600 / 60) | 0).padStart(2, '0');
    records.push(`{"time":"${stamp}${mm}:59.${frac}Z${envelopeHead}${parts.join(',')}${envelopeTail}`);
  }
  // Azure appends one record per minute, each after a CRLF and a comma.
  const body = Buffer.from(`{"records":[${records.join('\r\n,')}]}`, 'latin1');
  return { path: azurePath(u), body, records: total, nodata: 0, junk: 0 };
}

type Push = (rule: number, head: string, state: string, a: number, b: number, c: number, d: number) => void;

/** Short flows end in the same minute when the budget allows; long ones stay open for a while. */
function settle(r: Rng, open: Open[], room: boolean, rule: number, head: string, c: Conv, push: Push): void {
  if (c.long && open.length < 48) {
    open.push({ rule, head, reqPk: c.reqPk, reqBy: c.reqBy, rspPk: c.rspPk, rspBy: c.rspBy, ttl: between(r, 1, 20) });
  } else if (room) {
    push(rule, head, 'E', c.reqPk, c.reqBy, c.rspPk, c.rspBy);
  } else if (open.length < 64) {
    open.push({ rule, head, reqPk: c.reqPk, reqBy: c.reqBy, rspPk: c.rspPk, rspBy: c.rspBy, ttl: 0 });
  }
}
