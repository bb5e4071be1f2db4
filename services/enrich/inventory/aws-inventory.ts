/**
 * AWS inventory as printed by `aws ec2 describe-vpcs`, `describe-subnets` and
 * `describe-network-interfaces` (one CLI document per file). Read together
 * because a VPC carries no region: it is taken from the AZ of its subnets or
 * ENIs in any of the documents.
 */
import { DEFAULT_TAG_KEYS, IpamSourceError, type InterfaceRecord, type IpamAttribute, type IpamRecord, type TagKeyMap } from '../ipam-record.js';
import { eniResourceHint, eniServiceHint } from './aws-eni-hints.js';
import { addressOrProblem, cidrOrProblem } from './cidr-shape.js';
import { asObject, compact, describe, isObject, optArray, optObject, optString, reqString, type JsonObject } from './json-access.js';
import { ItemProblem, forEachItem, invalidLines, type IpamReadResult } from './read-result.js';
import { attrsFromTags, awsTags, withTags } from './tag-keys.js';

export interface InventoryDoc {
  origin: string;
  json: unknown;
}

const KINDS = ['Vpcs', 'Subnets', 'NetworkInterfaces'] as const;
export type AwsDocumentKind = (typeof KINDS)[number];

/** Which describe-* output this is, from its top-level key; undefined when none or several match. */
export function awsDocumentKind(json: unknown): AwsDocumentKind | undefined {
  if (!isObject(json)) return undefined;
  const found = KINDS.filter((k) => Array.isArray(json[k]));
  return found.length === 1 ? found[0] : undefined;
}

/** "us-east-1a", "us-west-2-lax-1a" (Local Zone), "us-east-1-wl1-bos-wlz-1" (Wavelength) -> region. */
export function regionFromZone(zone: string | undefined): string | undefined {
  return zone === undefined ? undefined : /^([a-z]{2}(?:-[a-z]+)+-\d+)/.exec(zone)?.[1];
}

type Attrs = Partial<Record<IpamAttribute, string>>;

export function readAwsInventory(docs: InventoryDoc[], tagKeys: TagKeyMap = DEFAULT_TAG_KEYS): IpamReadResult {
  const typed = docs.map((doc) => {
    const kind = awsDocumentKind(doc.json);
    if (!kind) {
      const keys = isObject(doc.json) ? `top-level keys ${Object.keys(doc.json).join(', ') || '(none)'}` : describe(doc.json);
      throw new IpamSourceError(doc.origin, `not an AWS describe-vpcs/describe-subnets/describe-network-interfaces document: expected exactly one of ${KINDS.join(', ')} as a list, found ${keys}`);
    }
    return { ...doc, kind, items: (doc.json as Record<AwsDocumentKind, unknown[]>)[kind] };
  });
  const zoned = typed.filter((d) => d.kind !== 'Vpcs').flatMap((d) => d.items);
  const regions = { vpc: regionsBy(zoned, 'VpcId'), subnet: regionsBy(zoned, 'SubnetId') };
  const records: IpamRecord[] = [];
  const interfaces: InterfaceRecord[] = [];
  const problems: string[] = [];
  const invalid: string[] = [];
  // the same VPC or subnet appears in every account it is shared with (RAM): an identical copy is not news
  const seen = new Map<string, { where: string; text: string }>();

  for (const { origin, kind, items } of typed) {
    const idKey = { Vpcs: 'VpcId', Subnets: 'SubnetId', NetworkInterfaces: 'NetworkInterfaceId' }[kind];
    const label = (item: unknown, i: number): string =>
      `${kind}[${i}]${isObject(item) && typeof item[idKey] === 'string' ? ` (${item[idKey]})` : ''}`;
    forEachItem(items, label, origin, problems, (raw, i) => {
      const item = asObject(raw, 'the item');
      const id = reqString(item, idKey);
      const earlier = seen.get(id);
      if (earlier?.text === JSON.stringify(item)) return;
      if (earlier !== undefined) throw new ItemProblem(`${id} is already listed, differently, in ${earlier.where} (two exports of different age?); the first is kept`);
      // describe-network-interfaces prints TagSet where the others print Tags; hand-made files use either
      const tags = { ...awsTags(item.TagSet, 'TagSet'), ...awsTags(item.Tags, 'Tags') };
      const fromTags = attrsFromTags(tags, tagKeys);
      const at = `${origin}#${id}`;
      if (kind === 'Vpcs') {
        const ipv6 = associated(item, 'Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 'Ipv6CidrBlockState');
        const region = regions.vpc.get(id) ?? regionFromZone(firstBorderGroup(item));
        const attrs = { ...fromTags, ...compact({ vpc: id, account: optString(item, 'OwnerId'), region }) };
        for (const cidr of [...vpcIpv4(item), ...ipv6]) records.push(withTags({ cidr, source: 'aws' as const, origin: at, attrs: { ...attrs } }, tags));
      } else if (kind === 'Subnets') {
        const region = regionFromZone(optString(item, 'AvailabilityZone'));
        const attrs = { ...fromTags, ...compact({ subnet: id, vpc: optString(item, 'VpcId'), account: optString(item, 'OwnerId'), region }) };
        // IPv6-only subnets have no CidrBlock
        const ipv4 = optString(item, 'CidrBlock');
        const cidrs = [...(ipv4 ? [cidrOrProblem(ipv4, 'CidrBlock')] : []), ...associated(item, 'Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 'Ipv6CidrBlockState')];
        for (const cidr of cidrs) records.push(withTags({ cidr, source: 'aws' as const, origin: at, attrs: { ...attrs } }, tags));
      } else {
        const eni = readEni(item, id, fromTags, regions);
        if (eni.addresses.length > 0) interfaces.push(withTags({ id, source: 'aws' as const, origin: at, addresses: eni.addresses, attrs: eni.attrs }, tags));
        // delegated prefixes (Ipv4Prefixes/Ipv6Prefixes) belong to the ENI as a whole
        for (const cidr of eni.prefixes) records.push(withTags({ cidr, source: 'aws' as const, origin: at, attrs: { ...eni.attrs } }, tags));
      }
      seen.set(id, { where: `${origin} ${kind}[${i}]`, text: JSON.stringify(item) });
    }, invalid);
  }
  return { records, interfaces, problems, ...invalidLines(invalid) };
}

type Regions = Record<'vpc' | 'subnet', Map<string, string>>;

function readEni(item: JsonObject, id: string, fromTags: Attrs, regions: Regions): { addresses: string[]; prefixes: string[]; attrs: Attrs } {
  const addresses: string[] = [];
  const add = (value: string | undefined, field: string): void => {
    if (value !== undefined && !addresses.includes(value)) addresses.push(addressOrProblem(value, field));
  };
  optArray(item, 'PrivateIpAddresses').forEach((raw, i) => {
    const entry = asObject(raw, `PrivateIpAddresses[${i}]`);
    add(optString(entry, 'PrivateIpAddress', `PrivateIpAddresses[${i}].PrivateIpAddress`), `PrivateIpAddresses[${i}].PrivateIpAddress`);
    add(optString(optObject(entry, 'Association') ?? {}, 'PublicIp'), `PrivateIpAddresses[${i}].Association.PublicIp`);
  });
  // the top-level copies of the primary address, for output trimmed with --query
  add(optString(item, 'PrivateIpAddress'), 'PrivateIpAddress');
  add(optString(optObject(item, 'Association') ?? {}, 'PublicIp'), 'Association.PublicIp');
  optArray(item, 'Ipv6Addresses').forEach((raw, i) => {
    add(optString(asObject(raw, `Ipv6Addresses[${i}]`), 'Ipv6Address'), `Ipv6Addresses[${i}].Ipv6Address`);
  });
  const prefixes = [
    ...optArray(item, 'Ipv4Prefixes').map((raw, i) => cidrOrProblem(reqString(asObject(raw, `Ipv4Prefixes[${i}]`), 'Ipv4Prefix', `Ipv4Prefixes[${i}].Ipv4Prefix`), `Ipv4Prefixes[${i}].Ipv4Prefix`)),
    ...optArray(item, 'Ipv6Prefixes').map((raw, i) => cidrOrProblem(reqString(asObject(raw, `Ipv6Prefixes[${i}]`), 'Ipv6Prefix', `Ipv6Prefixes[${i}].Ipv6Prefix`), `Ipv6Prefixes[${i}].Ipv6Prefix`)),
  ];
  const service = fromTags.service ?? eniServiceHint({
    interfaceType: optString(item, 'InterfaceType'),
    description: optString(item, 'Description'),
    requesterId: optString(item, 'RequesterId'),
  });
  const subnet = optString(item, 'SubnetId');
  const vpc = optString(item, 'VpcId');
  // output trimmed with --query may drop AvailabilityZone: the subnet's or VPC's zone then tells the region
  const region = regionFromZone(optString(item, 'AvailabilityZone')) ?? (subnet && regions.subnet.get(subnet)) ?? (vpc && regions.vpc.get(vpc)) ?? undefined;
  const attrs = {
    ...fromTags,
    ...compact({
      name: fromTags.name ?? eniResourceHint(optString(item, 'Description')),
      service,
      eni: id,
      instance: optString(optObject(item, 'Attachment') ?? {}, 'InstanceId', 'Attachment.InstanceId'),
      subnet,
      vpc,
      account: optString(item, 'OwnerId'),
      region,
    }),
  };
  return { addresses, prefixes, attrs };
}

function vpcIpv4(item: JsonObject): string[] {
  const set = associated(item, 'CidrBlockAssociationSet', 'CidrBlock', 'CidrBlockState');
  if (set.length > 0 || Array.isArray(item.CidrBlockAssociationSet)) return set;
  // output trimmed with --query may keep only the primary CidrBlock
  const primary = optString(item, 'CidrBlock');
  return primary ? [cidrOrProblem(primary, 'CidrBlock')] : [];
}

/** CIDRs of an association set whose state is "associated" (or not given); disassociated/failed ones no longer route. */
function associated(item: JsonObject, setKey: string, cidrKey: string, stateKey: string): string[] {
  const cidrs: string[] = [];
  optArray(item, setKey).forEach((raw, i) => {
    const at = `${setKey}[${i}]`;
    const assoc = asObject(raw, at);
    const state = optString(optObject(assoc, stateKey, `${at}.${stateKey}`) ?? {}, 'State', `${at}.${stateKey}.State`);
    if (state !== undefined && state !== 'associated') return;
    cidrs.push(cidrOrProblem(reqString(assoc, cidrKey, `${at}.${cidrKey}`), `${at}.${cidrKey}`));
  });
  return cidrs;
}

function firstBorderGroup(item: JsonObject): string | undefined {
  const set = Array.isArray(item.Ipv6CidrBlockAssociationSet) ? item.Ipv6CidrBlockAssociationSet : [];
  const nbg = set.map((a) => (isObject(a) ? a.NetworkBorderGroup : undefined)).find((g) => typeof g === 'string');
  return nbg as string | undefined;
}

/** VPC or subnet id -> region from every subnet/ENI that names both it and a zone; malformed items are reported by their own pass. */
function regionsBy(items: unknown[], key: 'VpcId' | 'SubnetId'): Map<string, string> {
  const regions = new Map<string, string>();
  for (const item of items) {
    if (!isObject(item) || typeof item[key] !== 'string' || typeof item.AvailabilityZone !== 'string') continue;
    const region = regionFromZone(item.AvailabilityZone);
    if (region && !regions.has(item[key] as string)) regions.set(item[key] as string, region);
  }
  return regions;
}
