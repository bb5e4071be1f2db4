/**
 * The simulated estate: AWS accounts/VPCs/ENIs, Azure subscriptions/VNets/NICs,
 * and the public internet they talk to. Built once per seed; every string a
 * hot loop needs (ids, line prefixes) is precomputed here.
 */
import { between, hex, int, pareto, pick, Picker, type Rng, zipf } from './prng.js';

export type Role = 'web' | 'api' | 'db' | 'cache' | 'batch' | 'bastion' | 'monitor' | 'nat';
export type AwsFormat = 'aws-v2' | 'aws-v5';

export interface Host { readonly ip: string; readonly ip6: string | null; readonly role: Role }

/** A routing domain whose hosts talk to each other (a VPC or a VNet). */
export interface Site {
  readonly hosts: readonly Host[];
  readonly byRole: ReadonlyMap<Role, Picker<Host>>;
  readonly v6: Picker<Host> | null;
}

export interface Eni extends Host {
  readonly id: string;
  readonly subnetId: string;
  /** '-' for a NAT gateway's interface. */
  readonly instanceId: string;
  /** Fixed leading fields of this ENI's lines, and (v5) the fixed fields after log-status. */
  readonly v2Head: string;
  readonly v5Head: string;
  readonly v5Tail: string;
  readonly v2HeadBytes: Buffer;
  readonly v5HeadBytes: Buffer;
  readonly v5TailBytes: Buffer;
  /** Private subnets reach the internet through the VPC's NAT gateway. */
  readonly private: boolean;
}

export interface Subnet { readonly id: string; readonly cidr: string; readonly cidr6: string | null; readonly az: string; readonly tier: 'public' | 'app' | 'data' }

export interface Vpc extends Site {
  readonly id: string;
  readonly cidr: string;
  readonly cidr6: string | null;
  readonly subnets: readonly Subnet[];
  readonly account: string;
  readonly region: string;
  readonly flowLogId: string;
  readonly format: AwsFormat;
  readonly enis: readonly Eni[];
  readonly nat: Eni | null;
  readonly weight: number;
}

export interface Nic extends Host { readonly mac: string; readonly nsg: Nsg }
export interface Nsg { readonly name: string; readonly resourceId: string; readonly systemId: string; readonly aclId: string }

export interface Vnet extends Site {
  readonly mode: 'nsg' | 'vnet';
  /** Third octet where this VNet's 10.200.x.0/18 starts; its tiers are the next three /24s. */
  readonly base: number;
  readonly sub: string;
  readonly rg: string;
  readonly name: string;
  readonly region: string;
  readonly encrypted: boolean;
  readonly nics: readonly Nic[];
  readonly flowLog: { readonly name: string; readonly guid: string; readonly resourceId: string; readonly targetId: string };
}

export interface Remote { readonly ip: string; readonly svc: string }

export interface Internet {
  readonly web: Picker<Remote>;
  readonly web6: Picker<Remote>;
  readonly dns: Picker<Remote>;
  readonly ntp: Picker<Remote>;
  readonly s3: Picker<Remote>;
  readonly azureStorage: Picker<Remote>;
  readonly scanners: Picker<string>;
  readonly clients: Picker<string>;
  /** The few office egress addresses admins SSH in from. */
  readonly corp: Picker<string>;
}

export interface Topology {
  readonly vpcs: readonly Vpc[];
  readonly vnets: readonly Vnet[];
  readonly internet: Internet;
}

const AWS_LAYOUT: readonly [account: number, region: string, format: AwsFormat, v6: boolean][] = [
  [0, 'us-east-1', 'aws-v2', true], [0, 'us-east-1', 'aws-v5', true],
  [0, 'eu-west-1', 'aws-v2', true], [0, 'eu-west-1', 'aws-v5', true],
  [1, 'us-east-1', 'aws-v2', false], [1, 'us-east-1', 'aws-v5', false],
  [2, 'us-east-1', 'aws-v2', false], [2, 'eu-west-1', 'aws-v2', false], [2, 'eu-west-1', 'aws-v5', true],
];
const AZ_IDS: Record<string, readonly string[]> = { 'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'], 'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'] };
const V6_PREFIX: Record<string, string> = { 'us-east-1': '2600:1f18', 'eu-west-1': '2a05:d018' };

// Tier (third octet base) per role: public, app, data subnets as people lay them out.
const TIER: Record<Role, number> = { web: 0, bastion: 0, nat: 0, api: 10, batch: 10, monitor: 10, db: 20, cache: 20 };
const AWS_ROLES: readonly [Role, number][] = [['web', 8], ['api', 10], ['db', 3], ['cache', 3], ['batch', 5], ['bastion', 1], ['monitor', 1], ['nat', 2]];

const g16 = (r: Rng): string => between(r, 1, 0xffff).toString(16);
const v6Suffix = (r: Rng): string => `${g16(r)}:${g16(r)}:${g16(r)}:${g16(r)}`;

/** Host activity is heavy-tailed too: a few chatty instances, many quiet ones. */
const activity = (r: Rng): number => Math.min(20, pareto(r, 1, 1.4));

function siteIndex<H extends Host>(hosts: readonly H[], weights: readonly number[]): { byRole: Map<Role, Picker<Host>>; v6: Picker<Host> | null } {
  const byRole = new Map<Role, Picker<Host>>();
  for (const role of new Set(hosts.map((h) => h.role))) {
    const idx = hosts.map((h, i) => [h, i] as const).filter(([h]) => h.role === role);
    byRole.set(role, new Picker(idx.map(([h]) => h), idx.map(([, i]) => weights[i]!)));
  }
  const six = hosts.map((h, i) => [h, i] as const).filter(([h]) => h.ip6 !== null);
  return { byRole, v6: six.length ? new Picker(six.map(([h]) => h), six.map(([, i]) => weights[i]!)) : null };
}

function buildVpcs(r: Rng): Vpc[] {
  const accounts = [0, 1, 2].map(() => `${between(r, 1, 9)}${String(between(r, 0, 99999)).padStart(5, '0')}${String(between(r, 0, 999999)).padStart(6, '0')}`);
  return AWS_LAYOUT.map(([a, region, format, hasV6], vi) => {
    const account = accounts[a]!;
    const id = `vpc-${hex(r, 17)}`;
    const octet2 = 10 * (vi + 1);
    const v6Net = hasV6 ? `${V6_PREFIX[region]}:${g16(r)}:${hex(r, 2).replace(/^0/, 'a')}` : '';
    const azs = AZ_IDS[region]!;
    const subnets = new Map<string, { id: string; az: string; v6: string; o3: number; tier: Subnet['tier'] }>();
    const used = new Set<string>();
    const enis: Eni[] = [];
    const weights: number[] = [];
    let n = 0;
    for (const [role, count] of AWS_ROLES) {
      for (let k = 0; k < count; k++, n++) {
        const azIdx = n % 2;
        const o3 = TIER[role] + azIdx;
        const key = `${o3}`;
        let sn = subnets.get(key);
        if (!sn) subnets.set(key, sn = { id: `subnet-${hex(r, 17)}`, az: azs[azIdx]!, v6: `${hex(r, 2)}`, o3, tier: TIER[role] === 0 ? 'public' : TIER[role] === 10 ? 'app' : 'data' });
        let ip: string;
        do ip = `10.${octet2}.${o3}.${between(r, 4, 250)}`; while (used.has(ip));
        used.add(ip);
        const ip6 = hasV6 && (role === 'web' || role === 'api') ? `${v6Net}${sn.v6}:${v6Suffix(r)}` : null;
        const eniId = `eni-${hex(r, 17)}`;
        const instanceId = role === 'nat' ? '-' : `i-${hex(r, 17)}`;
        const v2Head = `2 ${account} ${eniId} `, v5Head = `5 ${id} ${sn.id} ${instanceId} ${eniId} ${account} `, v5Tail = ` ${region} ${sn.az} - - `;
        enis.push({
          ip, ip6, role, id: eniId, subnetId: sn.id, instanceId, private: TIER[role] !== 0, v2Head, v5Head, v5Tail,
          v2HeadBytes: Buffer.from(v2Head, 'latin1'), v5HeadBytes: Buffer.from(v5Head, 'latin1'), v5TailBytes: Buffer.from(v5Tail, 'latin1'),
        });
        weights.push(activity(r));
      }
    }
    const { byRole, v6 } = siteIndex(enis, weights);
    return {
      id, account, region, format, enis, byRole, v6, hosts: enis,
      cidr: `10.${octet2}.0.0/16`,
      cidr6: hasV6 ? `${v6Net}00::/56` : null,
      subnets: [...subnets.values()].map((x) => ({ id: x.id, az: x.az, tier: x.tier, cidr: `10.${octet2}.${x.o3}.0/24`, cidr6: hasV6 ? `${v6Net}${x.v6}::/64` : null })),
      flowLogId: `fl-${hex(r, 17)}`,
      nat: enis.find((e) => e.role === 'nat') ?? null,
      weight: 0.6 + r(),
    };
  });
}

const guid = (r: Rng): string => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${'89ab'[int(r, 4)]}${hex(r, 3)}-${hex(r, 12)}`;
const MAC_OUI = ['000D3A', '6045BD', '7C1E52', '002248'];

const AZURE_LAYOUT: readonly [sub: number, mode: 'nsg' | 'vnet', rg: string, vnet: string, region: string, octet3: number, nics: number][] = [
  [0, 'nsg', 'rg-prod-weu', 'vnet-prod-weu', 'westeurope', 0, 30],
  [0, 'nsg', 'rg-dev-weu', 'vnet-dev-weu', 'westeurope', 64, 30],
  [1, 'vnet', 'rg-prod-eus', 'vnet-prod-eus', 'eastus', 128, 22],
  [1, 'vnet', 'rg-data-eus', 'vnet-data-eus', 'eastus', 192, 18],
];
const AZURE_ROLES: readonly [Role, number][] = [['web', 0.27], ['api', 0.3], ['db', 0.1], ['cache', 0.1], ['batch', 0.17], ['bastion', 0.03], ['monitor', 0.03]];

function buildVnets(r: Rng): Vnet[] {
  const subs = [guid(r), guid(r)];
  const usedMacs = new Set<string>();
  return AZURE_LAYOUT.map(([s, mode, rg, name, region, base, count]) => {
    const sub = subs[s]!;
    const SUB = sub.toUpperCase(), RG = rg.toUpperCase();
    const nsgs = ['web', 'app', 'data'].map((tier) => {
      const nsgName = `${name.replace('vnet-', 'nsg-')}-${tier}`.toUpperCase();
      return {
        name: nsgName, systemId: guid(r), aclId: guid(r),
        resourceId: `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/${RG}/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/${nsgName}`,
      };
    });
    const nics: Nic[] = [];
    const weights: number[] = [];
    const used = new Set<string>();
    for (const [role, frac] of AZURE_ROLES) {
      const k = Math.max(1, Math.round(frac * count));
      const tier = TIER[role] === 0 ? 0 : TIER[role] === 10 ? 1 : 2;
      for (let i = 0; i < k; i++) {
        let ip: string;
        do ip = `10.200.${base + 1 + tier}.${between(r, 4, 250)}`; while (used.has(ip));
        used.add(ip);
        let mac: string;
        do mac = pick(r, MAC_OUI) + hex(r, 6).toUpperCase(); while (usedMacs.has(mac));
        usedMacs.add(mac);
        nics.push({ ip, ip6: null, role, mac, nsg: nsgs[tier]! });
        weights.push(activity(r));
      }
    }
    const { byRole, v6 } = siteIndex(nics, weights);
    const REGION = region.toUpperCase();
    const flName = `${name}-flowlog`.toUpperCase();
    return {
      mode, base, sub, rg, name, region, nics, byRole, v6, hosts: nics,
      encrypted: name === 'vnet-data-eus',
      flowLog: {
        name: flName, guid: guid(r),
        resourceId: `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_${REGION}/FLOWLOGS/${flName}`,
        targetId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`,
      },
    };
  });
}

/** First octets that are routable unicast and not private, loopback, CGNAT or link-local. */
const PUBLIC_FIRST = Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(o));
export const randomPublicIp = (r: Rng): string =>
  `${pick(r, PUBLIC_FIRST)}.${int(r, 256)}.${int(r, 256)}.${between(r, 1, 254)}`;

// Public prefixes of real providers so destinations look familiar in a demo.
const WEB_PREFIXES: readonly [string, string][] = [
  ['142.250.', '-'], ['172.217.', '-'], ['104.16.', '-'], ['104.18.', '-'], ['151.101.', '-'], ['140.82.', '-'],
  ['185.199.', '-'], ['13.107.', '-'], ['20.190.', '-'], ['23.45.', '-'], ['34.120.', '-'], ['35.186.', '-'],
  ['162.159.', '-'], ['199.232.', '-'], ['52.94.', 'DYNAMODB'], ['54.239.', 'AMAZON'], ['13.32.', 'CLOUDFRONT'],
  ['18.204.', 'EC2'], ['3.208.', 'EC2'], ['52.46.', 'AMAZON'], ['44.192.', 'EC2'],
];
const V6_PREFIXES = ['2606:4700', '2a00:1450', '2607:f8b0', '2620:1ec', '2600:9000', '2a04:4e42'];

function buildInternet(r: Rng): Internet {
  const web: Remote[] = [];
  for (let i = 0; i < 320; i++) {
    const [p, svc] = pick(r, WEB_PREFIXES);
    web.push({ ip: `${p}${int(r, 256)}.${between(r, 1, 254)}`, svc });
  }
  const web6 = Array.from({ length: 40 }, () => ({ ip: `${pick(r, V6_PREFIXES)}:${g16(r)}:${g16(r)}:${v6Suffix(r)}`, svc: '-' }));
  const dns = ['8.8.8.8', '1.1.1.1', '8.8.4.4', '1.0.0.1', '9.9.9.9', '208.67.222.222'].map((ip) => ({ ip, svc: '-' }));
  const ntp = Array.from({ length: 8 }, () => ({ ip: randomPublicIp(r), svc: '-' }));
  const s3 = Array.from({ length: 24 }, () => ({ ip: `${pick(r, ['52.216.', '3.5.', '52.218.'])}${int(r, 256)}.${between(r, 1, 254)}`, svc: 'S3' }));
  const azureStorage = Array.from({ length: 12 }, () => ({ ip: `${pick(r, ['52.239.', '20.150.', '20.60.'])}${int(r, 256)}.${between(r, 1, 254)}`, svc: '-' }));
  const scanners = Array.from({ length: 60 }, () => randomPublicIp(r));
  const clients = Array.from({ length: 3000 }, () => randomPublicIp(r));
  const corp = Array.from({ length: 3 }, () => randomPublicIp(r));
  return {
    web: zipf(web), web6: zipf(web6), dns: zipf(dns, 1.5), ntp: zipf(ntp), s3: zipf(s3), azureStorage: zipf(azureStorage),
    scanners: zipf(scanners, 1.2), clients: zipf(clients, 0.9), corp: zipf(corp),
  };
}

export function buildTopology(r: Rng): Topology {
  return { vpcs: buildVpcs(r), vnets: buildVnets(r), internet: buildInternet(r) };
}
