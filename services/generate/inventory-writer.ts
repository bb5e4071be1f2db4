/**
 * The IPAM and inventory that match a generated estate, in the formats users
 * already export: `aws ec2 describe-vpcs / describe-subnets /
 * describe-network-interfaces`, `az network vnet list / nic list`, a static
 * IPAM file, an excerpt of AWS ip-ranges.json and of Azure's service tags,
 * and an `enrich:` config that lists them with a few ownership rules. Derived
 * from the seed alone, so it can be written for an existing dataset.
 */
import { mkdir } from 'node:fs/promises';
import { writeContained } from '../core/contained-files.js';
import { STREAM } from './plan.js';
import { rngFor } from './prng.js';
import { buildTopology, type Role, type Topology } from './topology.js';

const TEAMS = ['payments', 'search', 'data-platform'];
const VPC_ENV = ['prod', 'prod', 'prod', 'prod', 'staging', 'staging', 'dev', 'dev', 'prod'];
const SEGMENT = { public: 'dmz', app: 'app', data: 'data' } as const;
/** Interfaces some other team runs inside a product team's VPC. */
const ROLE_OWNER: Partial<Record<Role, string>> = { monitor: 'observability', bastion: 'security' };

const tags = (o: Record<string, string>) => Object.entries(o).map(([Key, Value]) => ({ Key, Value }));
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function awsDocs(topo: Topology) {
  const accounts = [...new Set(topo.vpcs.map((v) => v.account))];
  const team = (account: string) => TEAMS[accounts.indexOf(account)] ?? 'unknown';
  const Vpcs = topo.vpcs.map((v, i) => ({
    VpcId: v.id, OwnerId: v.account, State: 'available', CidrBlock: v.cidr, IsDefault: false,
    CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-${v.id.slice(4)}`, CidrBlock: v.cidr, CidrBlockState: { State: 'associated' } }],
    ...(v.cidr6 ? { Ipv6CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-6${v.id.slice(5)}`, Ipv6CidrBlock: v.cidr6, Ipv6CidrBlockState: { State: 'associated' }, NetworkBorderGroup: v.region, Ipv6Pool: 'Amazon' }] } : {}),
    // the last VPC has no Owner tag: the demo config gives it an owner by rule
    Tags: tags({ Name: `${VPC_ENV[i]}-${v.region}-${i}`, Environment: VPC_ENV[i]!, ...(i === topo.vpcs.length - 1 ? {} : { Owner: team(v.account) }) }),
  }));
  const Subnets = topo.vpcs.flatMap((v) => v.subnets.map((s) => ({
    SubnetId: s.id, VpcId: v.id, OwnerId: v.account, CidrBlock: s.cidr, AvailabilityZoneId: s.az, State: 'available',
    AvailabilityZone: `${v.region}${'abc'[Number(s.az.slice(-1)) % 3]}`,
    Ipv6CidrBlockAssociationSet: s.cidr6 ? [{ AssociationId: `subnet-cidr-assoc-${s.id.slice(7)}`, Ipv6CidrBlock: s.cidr6, Ipv6CidrBlockState: { State: 'associated' } }] : [],
    Tags: tags({ Name: `${s.tier}-${s.az}`, Segment: SEGMENT[s.tier] }),
  })));
  const NetworkInterfaces = topo.vpcs.flatMap((v) => v.enis.map((e) => ({
    NetworkInterfaceId: e.id, SubnetId: e.subnetId, VpcId: v.id, OwnerId: v.account, Status: 'in-use',
    InterfaceType: e.role === 'nat' ? 'nat_gateway' : 'interface',
    Description: e.role === 'nat' ? `Interface for NAT Gateway nat-${e.id.slice(4)}` : '',
    PrivateIpAddress: e.ip,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.ip }],
    Ipv6Addresses: e.ip6 ? [{ Ipv6Address: e.ip6 }] : [],
    ...(e.instanceId !== '-' ? { Attachment: { InstanceId: e.instanceId, InstanceOwnerId: v.account, Status: 'attached', DeviceIndex: 0 } } : {}),
    TagSet: [],
    Tags: e.role === 'nat' ? [] : tags({ Service: e.role, ...(ROLE_OWNER[e.role] ? { Owner: ROLE_OWNER[e.role]! } : {}) }),
  })));
  return { vpcs: { Vpcs }, subnets: { Subnets }, enis: { NetworkInterfaces } };
}

function azureDocs(topo: Topology) {
  const tiers = ['web', 'app', 'data'];
  const vnets = topo.vnets.map((n) => {
    const base = n.base;
    const id = `/subscriptions/${n.sub}/resourceGroups/${n.rg}/providers/Microsoft.Network/virtualNetworks/${n.name}`;
    return {
      id, name: n.name, location: n.region, resourceGroup: n.rg, type: 'Microsoft.Network/virtualNetworks', provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: [`10.200.${base}.0/18`] },
      subnets: tiers.map((t, i) => ({ id: `${id}/subnets/snet-${t}`, name: `snet-${t}`, addressPrefix: `10.200.${base + 1 + i}.0/24`, provisioningState: 'Succeeded' })),
      tags: { Environment: n.name.includes('dev') ? 'dev' : 'prod', Owner: n.name.includes('data') ? 'data-platform' : 'web-platform' },
    };
  });
  const nics = topo.vnets.flatMap((n, vi) => n.nics.map((nic, i) => {
    const tier = nic.role === 'web' || nic.role === 'bastion' ? 'web' : nic.role === 'db' || nic.role === 'cache' ? 'data' : 'app';
    const vm = `vm-${nic.role}-${vi}-${i}`;
    return {
      id: `/subscriptions/${n.sub}/resourceGroups/${n.rg}/providers/Microsoft.Network/networkInterfaces/${vm}-nic`,
      name: `${vm}-nic`, location: n.region, resourceGroup: n.rg, macAddress: nic.mac.replace(/(..)(?!$)/g, '$1-'),
      ipConfigurations: [{ name: 'ipconfig1', primary: true, privateIPAddress: nic.ip, privateIPAllocationMethod: 'Dynamic',
        subnet: { id: `${vnets[vi]!.id}/subnets/snet-${tier}`, resourceGroup: n.rg } }],
      virtualMachine: { id: `/subscriptions/${n.sub}/resourceGroups/${n.rg}/providers/Microsoft.Compute/virtualMachines/${vm}`, resourceGroup: n.rg },
      tags: { Service: nic.role },
    };
  }));
  return { vnets, nics };
}

/** Ranges the generator's public destinations fall in, as AWS and Azure publish them. */
function providerDocs() {
  const aws: [string, string, string][] = [
    ['52.216.0.0/15', 'S3', 'us-east-1'], ['3.5.0.0/16', 'S3', 'us-east-1'], ['52.218.0.0/16', 'S3', 'eu-west-1'],
    ['52.94.0.0/16', 'DYNAMODB', 'us-east-1'], ['13.32.0.0/15', 'CLOUDFRONT', 'GLOBAL'], ['18.204.0.0/14', 'EC2', 'us-east-1'],
    ['3.208.0.0/12', 'EC2', 'us-east-1'], ['44.192.0.0/11', 'EC2', 'us-east-1'], ['54.239.0.0/16', 'AMAZON', 'us-east-1'], ['52.46.0.0/16', 'AMAZON', 'us-east-1'],
  ];
  // AWS lists every range under AMAZON as well as under its service
  const prefixes = aws.flatMap(([p, service, region]) => [
    { ip_prefix: p, region, service: 'AMAZON', network_border_group: region },
    ...(service === 'AMAZON' ? [] : [{ ip_prefix: p, region, service, network_border_group: region }]),
  ]);
  const ipRanges = { syncToken: '1764000000', createDate: '2026-11-24-00-00-00', prefixes, ipv6_prefixes: [{ ipv6_prefix: '2600:9000::/28', region: 'GLOBAL', service: 'CLOUDFRONT', network_border_group: 'GLOBAL' }] };
  const serviceTags = {
    changeNumber: 412, cloud: 'Public',
    values: [{ name: 'Storage', id: 'Storage', properties: { changeNumber: 301, region: '', regionId: 0, platform: 'Azure', systemService: 'AzureStorage', addressPrefixes: ['52.239.0.0/16', '20.150.0.0/16', '20.60.0.0/16'], networkFeatures: ['API', 'NSG'] } }],
  };
  return { ipRanges, serviceTags };
}

function staticIpam(topo: Topology): string {
  return [
    '# Static IPAM: what no cloud API knows. Unset attributes are inherited by more specific prefixes.',
    'prefixes:',
    '  - { cidr: 10.0.0.0/8, name: corporate-private, owner: netops }',
    '  - { cidr: 10.200.0.0/16, name: azure-estate }',
    // Azure subnets carry no tags in `az network vnet list`: their segments are written here
    ...topo.vnets.flatMap((n) => ['dmz', 'app', 'data'].map((seg, i) => `  - { cidr: 10.200.${n.base + 1 + i}.0/24, segment: ${seg} }`)),
    ...topo.internet.corp.items.map((ip, i) => `  - { cidr: ${ip}/32, name: office-egress-${i + 1}, owner: it, segment: corp, env: prod }`),
    '',
  ].join('\n');
}

function enrichConfig(topo: Topology): string {
  const last = topo.vpcs[topo.vpcs.length - 1]!;
  return [
    '# The enrich: section for these files (paste under a flowlog.yaml, or pass with --ipam-config).',
    'enrich:',
    '  files: [ipam.yaml, aws/vpcs.json, aws/subnets.json, aws/network-interfaces.json, azure/vnets.json, azure/nics.json, ip-ranges.json, ServiceTags_Public.json]',
    '  ownership:',
    `    - { vpc: ${last.id}, owner: data-platform }   # a VPC nobody tagged`,
    ...topo.vpcs[0]!.enis.filter((e) => e.role === 'nat').map((e) => `    - { eni: ${e.id}, owner: netops }   # a NAT gateway's interface: AWS lets nobody tag it`),
    '  owners: [payments, search, data-platform, observability, security, web-platform, netops, it]',
    '',
  ].join('\n');
}

/** The demo's segmentation policy: production data is off limits to non-production. */
const POLICY = `# Segmentation policy for the demo estate (flowlog policy check policy.yaml --enrich enrich.yaml)
mode: enforce
segments:
  prod-data: { match: { env: prod, segment: data } }
  prod:      { match: { env: prod } }
  nonprod:   { match: { env: [dev, staging] } }
default: allow
rules:
  - { name: nonprod-to-prod-data, from: nonprod, to: prod-data, action: deny }
  - { name: nonprod-to-prod-admin, from: nonprod, to: prod, ports: [22, 3389], protocol: tcp, action: deny }
  - { name: nonprod-to-prod, from: nonprod, to: prod, action: alert }
`;

export async function writeInventory(out: string, seed: number): Promise<string[]> {
  const topo = buildTopology(rngFor(seed, STREAM.topology));
  const aws = awsDocs(topo), az = azureDocs(topo), prov = providerDocs();
  const files: [string, string][] = [
    ['ipam.yaml', staticIpam(topo)],
    ['aws/vpcs.json', json(aws.vpcs)], ['aws/subnets.json', json(aws.subnets)], ['aws/network-interfaces.json', json(aws.enis)],
    ['azure/vnets.json', json(az.vnets)], ['azure/nics.json', json(az.nics)],
    ['ip-ranges.json', json(prov.ipRanges)], ['ServiceTags_Public.json', json(prov.serviceTags)],
    ['enrich.yaml', enrichConfig(topo)],
    ['policy.yaml', POLICY],
  ];
  await mkdir(out, { recursive: true });
  for (const [name, body] of files) await writeContained(out, name, body);
  return files.map(([n]) => n);
}
