/**
 * One AWS S3 delivery file (one VPC flow log, one 5-minute window): header,
 * per-ENI records in start-time order, optional junk lines. Returns the
 * uncompressed bytes; compression happens off the main thread.
 */
import { backupShare, hourOf, scanShare } from './diurnal.js';
import { junkLine, type JunkKind } from './junk.js';
import { AsciiWriter } from './ascii.js';
import { between, hex, type Rng } from './prng.js';
import type { Eni, Internet, Vpc } from './topology.js';
import { type Conv, ICMP, newConv, nextConv, TCP, type TrafficCtx } from './traffic.js';

export const V2_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'] as const;
export const V5_FIELDS = [
  'version', 'vpc-id', 'subnet-id', 'instance-id', 'interface-id', 'account-id', 'type', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'pkt-srcaddr', 'pkt-dstaddr', 'protocol', 'bytes', 'packets', 'start', 'end', 'action', 'tcp-flags', 'log-status', 'region', 'az-id',
  'sublocation-type', 'sublocation-id', 'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path',
] as const;
export const V2_HEADER = V2_FIELDS.join(' ');
export const V5_HEADER = V5_FIELDS.join(' ');
/** The `--log-format` the v5 flow log was created with, for an ingest that is told rather than shown. */
export const V5_LOG_FORMAT = V5_FIELDS.map((f) => '${' + f + '}').join(' ');

export interface AwsUnit {
  readonly vpc: Vpc;
  /** Window start (aligned to 5 minutes) and the part of it inside the span. */
  readonly window: number;
  readonly t0: number;
  readonly t1: number;
  readonly records: number;
  readonly junk: readonly JunkKind[];
  readonly rng: Rng;
}

export interface BuiltFile { path: string; body: Buffer; records: number; nodata: number; junk: number }

function awsPath(vpc: Vpc, window: number, r: Rng): string {
  const iso = new Date(window * 1000).toISOString();
  const y = iso.slice(0, 4), m = iso.slice(5, 7), d = iso.slice(8, 10), hm = iso.slice(11, 13) + iso.slice(14, 16);
  return `AWSLogs/${vpc.account}/vpcflowlogs/${vpc.region}/${y}/${m}/${d}/` +
    `${vpc.account}_vpcflowlogs_${vpc.region}_${vpc.flowLogId}_${y}${m}${d}T${hm}Z_${hex(r, 8)}.log.gz`;
}

// AWS logs only FIN(1), SYN(2), RST(4) and SYN-ACK(18), OR-ed over the window.
const reqFlags = (r: Rng, c: Conv): number =>
  c.proto !== TCP ? 0 : !c.accepted ? 2 : r() < 0.003 ? 4 : c.long ? (r() < 0.5 ? 2 : r() < 0.8 ? 0 : 1) : 3;
const rspFlags = (r: Rng, c: Conv): number =>
  c.proto !== TCP ? 0 : c.long ? (r() < 0.5 ? 18 : r() < 0.8 ? 0 : 1) : 19;

export function buildAwsFile(u: AwsUnit, internet: Internet): BuiltFile {
  const { vpc, rng: r } = u;
  const v5 = vpc.format === 'aws-v5';
  const path = awsPath(vpc, u.window, r);
  const budget = u.records;
  // Sorted up front: a conversation takes the next start for all its records, so the file comes out in time order.
  const starts = new Float64Array(budget);
  const width = u.t1 - u.t0;
  for (let i = 0; i < budget; i++) starts[i] = u.t0 + ((r() * width) | 0);
  starts.sort();
  const junk = u.junk.map((kind) => ({ kind, at: (r() * (budget + 1)) | 0 })).sort((a, b) => a.at - b.at);
  const fields = v5 ? V5_FIELDS : V2_FIELDS;
  const w = new AsciiWriter(budget * (v5 ? 300 : 130) + 1024);
  w.str(v5 ? V5_HEADER : V2_HEADER);
  w.byte(NL);
  let n = 0, nodata = 0, convStart = u.t0, nextJunk = 0;

  const junkUpTo = (at: number): void => {
    while (nextJunk < junk.length && junk[nextJunk]!.at <= at) {
      const line = junkLine(r, junk[nextJunk++]!.kind, vpc, fields, u.t0);
      w.reserve(line.length + 1);
      w.str(line);
      w.byte(NL);
    }
  };
  const times = (): void => {
    w.num(convStart);
    w.byte(SP);
    w.num(convStart + (r() < 0.6 ? 50 + ((r() * 11) | 0) : (r() * 61) | 0));
  };
  const emit: Emit = (eni, src, dst, sp, dp, c, pk, by, action, flags, dir, tpath, psrc, pdst, sSvc, dSvc) => {
    if (n >= budget) return;
    if (nextJunk < junk.length) junkUpTo(n);
    w.reserve(LINE_MAX);
    if (v5) {
      w.bytes(eni.v5HeadBytes); w.str(c.v6 ? 'IPv6 ' : 'IPv4 ');
      w.str(src); w.byte(SP); w.str(dst); w.byte(SP); w.num(sp); w.byte(SP); w.num(dp); w.byte(SP);
      w.str(psrc); w.byte(SP); w.str(pdst); w.byte(SP); w.num(c.proto); w.byte(SP); w.num(by); w.byte(SP); w.num(pk); w.byte(SP);
      times(); w.byte(SP); w.str(action); w.byte(SP); w.num(flags); w.str(' OK'); w.bytes(eni.v5TailBytes);
      w.str(sSvc); w.byte(SP); w.str(dSvc); w.byte(SP); w.str(dir); w.byte(SP); w.str(tpath);
    } else {
      w.bytes(eni.v2HeadBytes);
      w.str(src); w.byte(SP); w.str(dst); w.byte(SP); w.num(sp); w.byte(SP); w.num(dp); w.byte(SP);
      w.num(c.proto); w.byte(SP); w.num(pk); w.byte(SP); w.num(by); w.byte(SP);
      times(); w.byte(SP); w.str(action); w.str(' OK');
    }
    w.byte(NL);
    n++;
  };
  const idle = (status: 'NODATA' | 'SKIPDATA'): void => {
    if (nextJunk < junk.length) junkUpTo(n);
    w.reserve(LINE_MAX);
    const eni = vpc.enis[(r() * vpc.enis.length) | 0]!;
    if (v5) { w.bytes(eni.v5HeadBytes); w.str('- - - - - - - - - - '); times(); w.str(' - - '); w.str(status); w.bytes(eni.v5TailBytes); w.str('- - - -'); }
    else { w.bytes(eni.v2HeadBytes); w.str('- - - - - - - '); times(); w.str(' - '); w.str(status); }
    w.byte(NL);
    n++;
    nodata++;
  };

  const ctx: TrafficCtx = { r, site: vpc, internet, cloud: 'aws', allowIcmp: true, pScan: 0, pBackup: 0 };
  const hour = hourOf((u.t0 + u.t1) / 2);
  ctx.pScan = scanShare(hour);
  ctx.pBackup = backupShare(hour);
  const c = newConv();
  while (n < budget) {
    convStart = starts[n]!;
    const q = r();
    if (q < 0.03) { idle('NODATA'); continue; }
    if (q < 0.0315) { idle('SKIPDATA'); continue; }
    nextConv(ctx, c, null);
    renderConv(r, c, vpc, emit);
  }
  junkUpTo(Infinity);
  return { path, body: w.done(), records: n, nodata, junk: junk.length };
}

const SP = 32, NL = 10;
/** Longest line we can write: v5 with four IPv6 addresses and 16-digit counters is well under this. */
const LINE_MAX = 768;

type Emit = (eni: Eni, src: string, dst: string, sp: number, dp: number, c: Conv, pk: number, by: number,
  action: string, flags: number, dir: string, tpath: string, psrc: string, pdst: string, sSvc: string, dSvc: string) => void;

/** Each local end logs its own view: egress request and ingress reply, or the reverse. */
function renderConv(r: Rng, c: Conv, vpc: Vpc, emit: Emit): void {
  const ci = c.cHost as Eni | null, si = c.sHost as Eni | null;
  const fq = reqFlags(r, c), fr = rspFlags(r, c);
  if (ci) {
    const viaNat = ci.private && si === null && c.remoteSvc !== 'S3' && vpc.nat !== null && !c.v6;
    const path = si ? '1' : c.remoteSvc === 'S3' ? '7' : viaNat ? '1' : '8';
    emit(ci, c.cIp, c.sIp, c.cPort, c.sPort, c, c.reqPk, c.reqBy, 'ACCEPT', fq, 'egress', path, c.cIp, c.sIp, '-', c.remoteSvc);
    if (viaNat) {
      // The NAT gateway's ENI sees the instance as source and itself as destination; pkt-dstaddr keeps the real target.
      const nat = vpc.nat!;
      emit(nat, c.cIp, nat.ip, c.cPort, c.sPort, c, c.reqPk, c.reqBy, 'ACCEPT', fq, 'ingress', '-', c.cIp, c.sIp, '-', c.remoteSvc);
      const np = c.proto === ICMP ? 0 : between(r, 1024, 65535);
      emit(nat, nat.ip, c.sIp, np, c.sPort, c, c.reqPk, c.reqBy, 'ACCEPT', fq, 'egress', '8', nat.ip, c.sIp, '-', c.remoteSvc);
    }
    if (c.rspPk > 0) emit(ci, c.sIp, c.cIp, c.sPort, c.cPort, c, c.rspPk, c.rspBy, 'ACCEPT', fr, 'ingress', '-', c.sIp, c.cIp, c.remoteSvc, '-');
  }
  if (si) {
    emit(si, c.cIp, c.sIp, c.cPort, c.sPort, c, c.reqPk, c.reqBy, c.accepted ? 'ACCEPT' : 'REJECT', fq, 'ingress', '-', c.cIp, c.sIp, '-', '-');
    if (c.rspPk > 0) emit(si, c.sIp, c.cIp, c.sPort, c.cPort, c, c.rspPk, c.rspBy, 'ACCEPT', fr, 'egress', ci ? '1' : '8', c.sIp, c.cIp, '-', '-');
  }
}
