/**
 * What talks to what: one "conversation" (initiator -> responder, with volumes
 * both ways) at a time, shared by the AWS and Azure writers, which then render
 * it from each local endpoint's point of view.
 */
import { between, pareto, Picker, type Rng } from './prng.js';
import type { Host, Internet, Remote, Role, Site } from './topology.js';
import { randomPublicIp } from './topology.js';

export const enum Kind { EastWest, Egress, Inbound, Scan, Deny, Icmp, Backup, Dns }
const enum Vol { Http, Db, Cache, Scrape, Ssh, Dns, Ntp, Icmp, Syn, Backup }

export const TCP = 6, UDP = 17, ICMP = 1;

/** Reused for every conversation: the hot loop allocates nothing per flow. */
export interface Conv {
  kind: Kind;
  proto: number;
  v6: boolean;
  cIp: string; cPort: number; cHost: Host | null;
  sIp: string; sPort: number; sHost: Host | null;
  accepted: boolean;
  /** Still open at the end of the window: no FIN yet, and Azure reports it as continuing. */
  long: boolean;
  reqPk: number; reqBy: number; rspPk: number; rspBy: number;
  /** AWS service name of the public endpoint, '-' when none. */
  remoteSvc: string;
}

export const newConv = (): Conv => ({
  kind: Kind.EastWest, proto: TCP, v6: false, cIp: '', cPort: 0, cHost: null, sIp: '', sPort: 0, sHost: null,
  accepted: true, long: false, reqPk: 0, reqBy: 0, rspPk: 0, rspBy: 0, remoteSvc: '-',
});

type Remote4 = 'web' | 'dns' | 'ntp' | 'web6';
interface Edge { kind: Kind; from: Role | null; to: Role | null; port: number; proto: number; vol: Vol; w: number; remote?: Remote4; v6?: boolean }

const E = (kind: Kind, from: Role | null, to: Role | null, port: number, vol: Vol, w: number, extra: Partial<Edge> = {}): Edge =>
  ({ kind, from, to, port, proto: vol === Vol.Dns || vol === Vol.Ntp ? UDP : vol === Vol.Icmp ? ICMP : TCP, vol, w, ...extra });

const EDGES: readonly Edge[] = [
  E(Kind.EastWest, 'web', 'api', 8080, Vol.Http, 18), E(Kind.EastWest, 'api', 'db', 5432, Vol.Db, 10),
  E(Kind.EastWest, 'api', 'cache', 6379, Vol.Cache, 12), E(Kind.EastWest, 'api', 'api', 8080, Vol.Http, 4),
  E(Kind.EastWest, 'batch', 'db', 5432, Vol.Db, 3), E(Kind.EastWest, 'batch', 'api', 8080, Vol.Http, 2),
  E(Kind.EastWest, 'web', 'cache', 6379, Vol.Cache, 1), E(Kind.EastWest, 'monitor', 'web', 9100, Vol.Scrape, 1),
  E(Kind.EastWest, 'monitor', 'api', 9100, Vol.Scrape, 1.5), E(Kind.EastWest, 'monitor', 'db', 9187, Vol.Scrape, 0.5),
  E(Kind.EastWest, 'bastion', 'api', 22, Vol.Ssh, 0.3), E(Kind.EastWest, 'bastion', 'db', 22, Vol.Ssh, 0.2),
  E(Kind.Egress, 'web', null, 443, Vol.Http, 6, { remote: 'web' }), E(Kind.Egress, 'api', null, 443, Vol.Http, 10, { remote: 'web' }),
  E(Kind.Egress, 'batch', null, 443, Vol.Http, 4, { remote: 'web' }), E(Kind.Egress, 'api', null, 80, Vol.Http, 1, { remote: 'web' }),
  E(Kind.Egress, 'batch', null, 80, Vol.Http, 1, { remote: 'web' }),
  E(Kind.Dns, 'web', null, 53, Vol.Dns, 1, { remote: 'dns' }), E(Kind.Dns, 'api', null, 53, Vol.Dns, 2, { remote: 'dns' }),
  E(Kind.Dns, 'batch', null, 53, Vol.Dns, 1, { remote: 'dns' }), E(Kind.Egress, 'monitor', null, 123, Vol.Ntp, 0.6, { remote: 'ntp' }),
  E(Kind.Inbound, null, 'web', 443, Vol.Http, 6), E(Kind.Inbound, null, 'web', 80, Vol.Http, 1),
  E(Kind.Inbound, null, 'bastion', 22, Vol.Ssh, 0.3),
  E(Kind.Deny, 'web', 'db', 5432, Vol.Syn, 1), E(Kind.Deny, 'batch', 'cache', 6379, Vol.Syn, 0.4),
  E(Kind.Deny, 'web', 'bastion', 22, Vol.Syn, 0.4), E(Kind.Deny, 'api', 'bastion', 3389, Vol.Syn, 0.2),
  E(Kind.Icmp, 'monitor', 'web', 0, Vol.Icmp, 0.6), E(Kind.Icmp, 'monitor', 'api', 0, Vol.Icmp, 0.6),
  E(Kind.Icmp, 'monitor', 'db', 0, Vol.Icmp, 0.3), E(Kind.Icmp, 'api', null, 0, Vol.Icmp, 0.3, { remote: 'web' }),
  E(Kind.Egress, 'web', null, 443, Vol.Http, 3, { remote: 'web6', v6: true }),
  E(Kind.Inbound, null, 'web', 443, Vol.Http, 2, { v6: true }),
];

const ALL = new Picker(EDGES, EDGES.map((e) => e.w));
const noV6 = EDGES.filter((e) => !e.v6);
const byFocus = new Map<Role, Picker<Edge>>();
for (const role of ['web', 'api', 'db', 'cache', 'batch', 'bastion', 'monitor', 'nat'] as Role[]) {
  const es = noV6.filter((e) => e.from === role || e.to === role);
  if (es.length) byFocus.set(role, new Picker(es, es.map((e) => e.w)));
}

const SCAN_PORTS = new Picker([22, 3389, 23, 445, 5900, 1433, 3306, 8080, 6379, 9200, 2375, 80], [35, 20, 12, 12, 3, 3, 3, 3, 3, 2, 2, 2]);
const SCAN_TARGETS = new Picker<Role>(['web', 'bastion', 'api'], [55, 25, 20]);

export interface TrafficCtx {
  readonly r: Rng;
  readonly site: Site;
  readonly internet: Internet;
  readonly cloud: 'aws' | 'azure';
  /** Azure NSG tuples carry only T/U: ICMP cannot be expressed there. */
  readonly allowIcmp: boolean;
  pScan: number;
  pBackup: number;
}

const ephemeral = (r: Rng): number => (r() < 0.75 ? 32768 + ((r() * 28232) | 0) : 49152 + ((r() * 16384) | 0));

function localOf(site: Site, r: Rng, role: Role, not: Host | null): Host {
  const p = site.byRole.get(role) ?? site.byRole.values().next().value!;
  let h = p.pick(r);
  if (h === not && p.size > 1) h = p.pick(r);
  return h;
}

function remoteOf(ctx: TrafficCtx, which: Remote4 | undefined): Remote {
  const i = ctx.internet;
  return which === 'dns' ? i.dns.pick(ctx.r) : which === 'ntp' ? i.ntp.pick(ctx.r) : which === 'web6' ? i.web6.pick(ctx.r) : i.web.pick(ctx.r);
}

const V6_CLIENT = ['2a02:8108', '2600:387', '2003:e6', '2a01:cb00', '2601:646'];
const g16 = (r: Rng): string => (1 + ((r() * 65535) | 0)).toString(16);

function clientIp(r: Rng, internet: Internet, v6: boolean): string {
  if (v6) return `${V6_CLIENT[(r() * V6_CLIENT.length) | 0]}:${g16(r)}:${g16(r)}:${g16(r)}:${g16(r)}:${g16(r)}:${g16(r)}`;
  return r() < 0.6 ? internet.clients.pick(r) : randomPublicIp(r);
}

/** Fills `c` with the next conversation; with `focus`, that host is one of its ends. */
export function nextConv(ctx: TrafficCtx, c: Conv, focus: Host | null): void {
  const r = ctx.r;
  const u = r();
  c.remoteSvc = '-'; c.v6 = false; c.accepted = true;
  if (u < ctx.pBackup && (!focus || focus.role === 'db')) return backup(ctx, c, focus);
  if (u < ctx.pBackup + ctx.pScan) return scan(ctx, c, focus);
  let e: Edge;
  for (let tries = 0; ; tries++) {
    e = focus ? (byFocus.get(focus.role) ?? ALL).pick(r) : ALL.pick(r);
    if ((e.proto !== ICMP || ctx.allowIcmp) && (!e.v6 || ctx.site.v6 !== null)) break;
    if (tries > 8) { e = EDGES[0]!; break; }
  }
  c.kind = e.kind; c.proto = e.proto; c.v6 = e.v6 === true;
  const focusIsClient = focus !== null && e.from === focus.role && (e.to !== focus.role || r() < 0.5);
  if (e.from === null) {
    c.cHost = null; c.cIp = e.port === 22 ? ctx.internet.corp.pick(r) : clientIp(r, ctx.internet, c.v6);
  } else {
    const h = focus && focusIsClient ? focus : c.v6 ? ctx.site.v6!.pick(r) : localOf(ctx.site, r, e.from, null);
    c.cHost = h; c.cIp = c.v6 ? h.ip6 ?? h.ip : h.ip;
  }
  if (e.to === null) {
    const rem = remoteOf(ctx, e.remote);
    c.sHost = null; c.sIp = rem.ip; c.remoteSvc = rem.svc;
  } else {
    const h = focus && !focusIsClient ? focus : c.v6 ? ctx.site.v6!.pick(r) : localOf(ctx.site, r, e.to, c.cHost);
    c.sHost = h; c.sIp = c.v6 ? h.ip6 ?? h.ip : h.ip;
  }
  if (c.v6 && (c.cIp.indexOf(':') < 0 || c.sIp.indexOf(':') < 0)) c.v6 = false;
  c.cPort = e.proto === ICMP ? 0 : ephemeral(r);
  c.sPort = e.port;
  c.accepted = e.kind !== Kind.Deny;
  volumes(r, c, e.vol);
}

function scan(ctx: TrafficCtx, c: Conv, focus: Host | null): void {
  const r = ctx.r;
  c.kind = Kind.Scan; c.proto = TCP; c.accepted = false;
  c.cHost = null;
  c.cIp = r() < 0.45 ? ctx.internet.scanners.pick(r) : randomPublicIp(r);
  c.cPort = between(r, 1024, 65535);
  const h = focus ?? localOf(ctx.site, r, SCAN_TARGETS.pick(r), null);
  c.sHost = h; c.sIp = h.ip;
  c.sPort = SCAN_PORTS.pick(r);
  volumes(r, c, Vol.Syn);
}

function backup(ctx: TrafficCtx, c: Conv, focus: Host | null): void {
  const r = ctx.r;
  c.kind = Kind.Backup; c.proto = TCP;
  const h = focus ?? localOf(ctx.site, r, 'db', null);
  c.cHost = h; c.cIp = h.ip; c.cPort = ephemeral(r);
  const rem = ctx.cloud === 'aws' ? ctx.internet.s3.pick(r) : ctx.internet.azureStorage.pick(r);
  c.sHost = null; c.sIp = rem.ip; c.sPort = 443; c.remoteSvc = rem.svc;
  volumes(r, c, Vol.Backup);
}

const span = (r: Rng, lo: number, hi: number): number => lo + r() * (hi - lo);

function volumes(r: Rng, c: Conv, vol: Vol): void {
  let q = 1, qs = 100, ratio = 1, rs = 100;
  c.long = false;
  switch (vol) {
    case Vol.Http: q = Math.min(2e5, pareto(r, 1, 1.25)); qs = span(r, 120, 600); ratio = span(r, 0.8, 3); rs = span(r, 700, 1450); break;
    case Vol.Db: q = Math.min(1e5, pareto(r, 1, 1.4)); qs = span(r, 90, 400); ratio = span(r, 1, 3); rs = span(r, 200, 1400); break;
    case Vol.Cache: q = Math.min(5e4, pareto(r, 1, 1.6)); qs = span(r, 70, 200); ratio = span(r, 0.9, 1.2); rs = span(r, 60, 600); break;
    case Vol.Scrape: q = between(r, 4, 8); qs = span(r, 100, 200); ratio = span(r, 1.5, 4); rs = span(r, 1000, 1448); break;
    case Vol.Ssh: q = Math.min(2e4, pareto(r, 2, 1.2)); qs = span(r, 80, 200); ratio = span(r, 0.8, 1.5); rs = span(r, 80, 600); c.long = r() < 0.6; break;
    case Vol.Dns: q = between(r, 1, 2); qs = span(r, 60, 90); ratio = 1; rs = span(r, 80, 300); break;
    case Vol.Ntp: q = 1; qs = 76; ratio = 1; rs = 76; break;
    case Vol.Icmp: q = between(r, 1, 10); qs = 84; ratio = 1; rs = 84; break;
    case Vol.Syn: q = between(r, 1, 3); qs = r() < 0.6 ? 40 : r() < 0.5 ? 44 : 60; ratio = 0; break;
    case Vol.Backup: {
      const bytes = Math.min(7.5e9, pareto(r, 2e8, 1.2));
      qs = span(r, 1400, 1500); q = bytes / qs; ratio = 0.5; rs = 52; c.long = true; break;
    }
  }
  const pk = Math.max(1, Math.floor(q));
  c.reqPk = pk;
  c.reqBy = Math.round(pk * qs);
  c.rspPk = ratio === 0 || !c.accepted ? 0 : Math.max(1, Math.round(pk * ratio));
  c.rspBy = Math.round(c.rspPk * rs);
  if (!c.long && c.proto === TCP && c.accepted) c.long = pk > 40 || r() < 0.15;
}
