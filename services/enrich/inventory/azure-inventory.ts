/**
 * Azure inventory as printed by `az network vnet list` and `az network nic
 * list` (a JSON array each). Humans see names, so vpc is the VNet name and
 * subnet is "vnet/subnet" (subnet names like "default" repeat in every VNet);
 * the full resource id stays in origin, and the subscription becomes account
 * because VNet names are only unique within a resource group.
 */
import { DEFAULT_TAG_KEYS, IpamSourceError, type InterfaceRecord, type IpamRecord, type TagKeyMap } from '../ipam-record.js';
import { addressOrProblem, cidrOrProblem, cidrValue } from './cidr-shape.js';
import { asObject, compact, describe, isObject, optArray, optObject, optString, reqString, type JsonObject } from './json-access.js';
import { ItemProblem, forEachItem, invalidLines, type IpamReadResult } from './read-result.js';
import { attrsFromTags, azureTags, withTags } from './tag-keys.js';
import type { InventoryDoc } from './aws-inventory.js';

export type AzureDocumentKind = 'vnets' | 'nics';

/** vnet list or nic list, from the shape of its items; undefined for anything else (and for []). */
export function azureDocumentKind(json: unknown): AzureDocumentKind | undefined {
  if (!Array.isArray(json) || json.length === 0 || !json.every(isObject)) return undefined;
  const types = new Set(json.map((item) => String(item.type ?? '').toLowerCase()));
  if (json.every((item) => isObject(item.addressSpace)) || (types.size === 1 && types.has('microsoft.network/virtualnetworks'))) return 'vnets';
  if (json.every((item) => Array.isArray(item.ipConfigurations)) || (types.size === 1 && types.has('microsoft.network/networkinterfaces'))) return 'nics';
  return undefined;
}

/**
 * The segments of an ARM resource id, keyed by lower-cased type
 * ("/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<s>").
 * Lower-cased because az prints "resourceGroups" and "resourcegroups" in different places.
 */
export function resourceIdParts(id: string): Map<string, string> {
  const segments = id.split('/').filter((s) => s !== '');
  const parts = new Map<string, string>();
  for (let i = 0; i + 1 < segments.length; i += 2) parts.set((segments[i] as string).toLowerCase(), segments[i + 1] as string);
  return parts;
}

function subscriptionOf(id: string, field: string): string {
  const sub = resourceIdParts(id).get('subscriptions');
  if (!id.startsWith('/subscriptions/') || !sub) throw new ItemProblem(`${field} ${JSON.stringify(id)} is not an Azure resource id (/subscriptions/<id>/resourceGroups/...)`);
  return sub;
}

export function readAzureInventory(docs: InventoryDoc[], tagKeys: TagKeyMap = DEFAULT_TAG_KEYS): IpamReadResult {
  const records: IpamRecord[] = [];
  const interfaces: InterfaceRecord[] = [];
  const problems: string[] = [];
  const invalid: string[] = [];
  for (const { origin, json } of docs) {
    if (Array.isArray(json) && json.length === 0) continue;
    const kind = azureDocumentKind(json);
    if (!kind) {
      throw new IpamSourceError(origin, `not the output of "az network vnet list" or "az network nic list": expected a JSON array of VNets (with addressSpace) or NICs (with ipConfigurations), found ${describe(json)}`);
    }
    const items = json as JsonObject[];
    const label = (item: JsonObject, i: number): string => `[${i}]${typeof item.name === 'string' ? ` (${item.name})` : ''}`;
    forEachItem(items, label, origin, problems, (item, i) => {
      if (kind === 'vnets') readVnet(item, origin, label(item, i), tagKeys, records, problems, invalid);
      else interfaces.push(readNic(item, origin, tagKeys));
    }, invalid);
  }
  return { records, interfaces, problems, ...invalidLines(invalid) };
}

function readVnet(item: JsonObject, origin: string, itemLabel: string, tagKeys: TagKeyMap, records: IpamRecord[], problems: string[], invalid: string[]): void {
  const id = reqString(item, 'id');
  const account = subscriptionOf(id, 'id');
  const vnet = optString(item, 'name') ?? (resourceIdParts(id).get('virtualnetworks') as string);
  const region = optString(item, 'location');
  const tags = azureTags(item.tags);
  const attrs = { ...attrsFromTags(tags, tagKeys), ...compact({ vpc: vnet, account, region }) };
  const space = asObject(item.addressSpace, 'addressSpace');
  const prefixes = optArray(space, 'addressPrefixes', 'addressSpace.addressPrefixes')
    .map((p, j) => cidrValue(p, `addressSpace.addressPrefixes[${j}]`));
  for (const cidr of prefixes) records.push(withTags({ cidr, source: 'azure' as const, origin: `${origin}#${id}`, attrs: { ...attrs } }, tags));

  // a bad subnet costs that subnet, not its VNet
  const subnets = optArray(item, 'subnets');
  const subLabel = (s: unknown, j: number): string => `${itemLabel} subnets[${j}]${isObject(s) && typeof s.name === 'string' ? ` (${s.name})` : ''}`;
  forEachItem(subnets, subLabel, origin, problems, (raw) => {
    const subnet = asObject(raw, 'the subnet');
    const subnetId = optString(subnet, 'id');
    const name = optString(subnet, 'name') ?? (subnetId && resourceIdParts(subnetId).get('subnets'));
    if (!name) throw new ItemProblem('has neither name nor id');
    // dual-stack (or multi-prefix) subnets list addressPrefixes; single-prefix ones addressPrefix
    const one = optString(subnet, 'addressPrefix');
    const many = optArray(subnet, 'addressPrefixes').map((p, k) => cidrValue(p, `addressPrefixes[${k}]`));
    const cidrs = [...new Set([...(one ? [cidrOrProblem(one, 'addressPrefix')] : []), ...many])];
    if (cidrs.length === 0) throw new ItemProblem('has neither addressPrefix nor addressPrefixes');
    const subAttrs = compact({ subnet: `${vnet}/${name}`, vpc: vnet, account, region });
    for (const cidr of cidrs) records.push({ cidr, source: 'azure', origin: `${origin}#${subnetId ?? `${id}/subnets/${name}`}`, attrs: { ...subAttrs } });
  }, invalid);
}

function readNic(item: JsonObject, origin: string, tagKeys: TagKeyMap): InterfaceRecord {
  const id = reqString(item, 'id');
  const account = subscriptionOf(id, 'id');
  const tags = azureTags(item.tags);
  const fromTags = attrsFromTags(tags, tagKeys);
  const addresses: string[] = [];
  let subnetId: string | undefined;
  optArray(item, 'ipConfigurations').forEach((raw, j) => {
    const at = `ipConfigurations[${j}]`;
    const config = asObject(raw, at);
    const address = optString(config, 'privateIPAddress', `${at}.privateIPAddress`);
    if (address !== undefined && !addresses.includes(address)) addresses.push(addressOrProblem(address, `${at}.privateIPAddress`));
    // nic list prints only the public IP's resource id; an address appears only in expanded output
    const pub = optString(optObject(config, 'publicIPAddress', `${at}.publicIPAddress`) ?? {}, 'ipAddress', `${at}.publicIPAddress.ipAddress`);
    if (pub !== undefined && !addresses.includes(pub)) addresses.push(addressOrProblem(pub, `${at}.publicIPAddress.ipAddress`));
    const sid = optString(optObject(config, 'subnet', `${at}.subnet`) ?? {}, 'id', `${at}.subnet.id`);
    if (sid && (subnetId === undefined || config.primary === true || config.primary === 'true')) subnetId = sid;
  });
  if (addresses.length === 0) throw new ItemProblem('no ipConfigurations with a privateIPAddress');
  const subnetParts = subnetId ? resourceIdParts(subnetId) : new Map<string, string>();
  const vnet = subnetParts.get('virtualnetworks');
  const subnet = subnetParts.get('subnets');
  const vmId = optString(optObject(item, 'virtualMachine') ?? {}, 'id', 'virtualMachine.id');
  // a private endpoint's NIC is named "<pe>.nic.<guid>": the endpoint's own name is the one people know
  const endpointId = optString(optObject(item, 'privateEndpoint') ?? {}, 'id', 'privateEndpoint.id');
  const service = fromTags.service ?? (endpointId ? 'private-endpoint' : undefined);
  const attrs = {
    ...fromTags,
    ...compact({
      name: fromTags.name ?? (endpointId ? resourceIdParts(endpointId).get('privateendpoints') : undefined),
      service,
      eni: optString(item, 'name') ?? resourceIdParts(id).get('networkinterfaces'),
      instance: vmId ? resourceIdParts(vmId).get('virtualmachines') : undefined,
      subnet: vnet && subnet ? `${vnet}/${subnet}` : undefined,
      vpc: vnet,
      account,
      region: optString(item, 'location'),
    }),
  };
  return withTags({ id, source: 'azure' as const, origin: `${origin}#${id}`, addresses, attrs }, tags);
}
