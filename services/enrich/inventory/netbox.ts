/**
 * NetBox `/api/ipam/prefixes/` and `/api/ipam/ip-addresses/` pages
 * (`{count, next, previous, results}`). Which NetBox field fills which
 * attribute differs between shops (one uses role for the segment, another a
 * custom field), hence NetboxMapping. Values are the human names, except
 * the tenant: it becomes the owner by its slug (`neteng`), the key the other
 * sources and the `owners:` list use, and keeps its name (`Network
 * Engineering`) in the `tenant` attribute.
 */
import type { IpamAttribute, IpamRecord, TagKeyMap } from '../ipam-record.js';
import { IpamSourceError } from '../ipam-record.js';
import { cidrOrProblem, hostCidr } from './cidr-shape.js';
import { asObject, describe, isObject, optArray, type JsonObject } from './json-access.js';
import { ItemProblem, forEachItem, invalidLines, type IpamReadResult } from './read-result.js';
import { slugify } from './slug.js';
import { withTags } from './tag-keys.js';

export interface NetboxMapping {
  /** Attributes set from tenant.slug (a tenant without one: its name, slugified). */
  tenant: IpamAttribute[];
  /** Attributes set from tenant.name, the display name. */
  tenantName: IpamAttribute[];
  /** From role: a Role object on prefixes, a choice (VIP, Loopback, ...) on ip-addresses. */
  role: IpamAttribute[];
  /** From site (NetBox < 4.2) or scope when scope_type is dcim.site (4.2+). */
  site: IpamAttribute[];
  /** From scope when scope_type is dcim.region (4.2+). */
  region: IpamAttribute[];
  /** From vrf.name; no VRF (the global table) sets nothing. */
  vrf: IpamAttribute[];
  description: IpamAttribute[];
  /** ip-addresses only. */
  dnsName: IpamAttribute[];
  /** ip-addresses only: the device or virtual machine of assigned_object. */
  device: IpamAttribute[];
  /** attribute <- custom field names, first non-empty wins; unset: the cloud TagKeyMap (owner, env, ... as custom fields). */
  customFields?: TagKeyMap;
}

/** Later fields win when two map to one attribute: description < dnsName < tenantName < tenant < role < site < region < vrf < device < customFields. */
export const DEFAULT_NETBOX_MAPPING: NetboxMapping = {
  tenant: ['owner'],
  tenantName: ['tenant'],
  role: ['role'],
  site: ['site'],
  region: ['region'],
  vrf: ['vrf'],
  description: ['name'],
  dnsName: ['name'],
  device: ['instance'],
};

export interface NetboxReadOptions {
  mapping?: Partial<NetboxMapping>;
  /** The default for mapping.customFields: shops often name custom fields like their cloud tags. */
  tagKeys?: TagKeyMap;
}

/** A list-endpoint page: what the API returns and what `curl .../api/ipam/prefixes/` saves. */
export function isNetboxPage(json: unknown): json is JsonObject & { results: unknown[] } {
  return isObject(json) && Array.isArray(json.results) && 'count' in json;
}

export function readNetbox(json: unknown, origin: string, opts: NetboxReadOptions = {}): IpamReadResult {
  if (!isNetboxPage(json)) {
    throw new IpamSourceError(origin, `not a NetBox API page: expected {count, next, previous, results: [...]}, found ${isObject(json) ? `keys ${Object.keys(json).join(', ')}` : describe(json)}`);
  }
  const map = { ...DEFAULT_NETBOX_MAPPING, ...opts.mapping };
  const customFields = map.customFields ?? opts.tagKeys ?? {};
  const records: IpamRecord[] = [];
  const problems: string[] = [];
  const invalid: string[] = [];
  const label = (item: unknown, i: number): string => {
    if (!isObject(item)) return `results[${i}]`;
    const what = typeof item.prefix === 'string' ? `prefix ${item.prefix}` : typeof item.address === 'string' ? `address ${item.address}` : undefined;
    const id = item.id !== undefined ? `id ${String(item.id)}` : undefined;
    return `results[${i}]${what || id ? ` (${[what, id].filter(Boolean).join(', ')})` : ''}`;
  };
  forEachItem(json.results, label, origin, problems, (raw, i) => {
    const item = asObject(raw, 'the item');
    // deprecated space is on its way out: enriching flows with it would mislabel its successor's traffic
    if (choice(item.status) === 'deprecated') return;
    const isPrefix = 'prefix' in item;
    if (!isPrefix && !('address' in item)) throw new ItemProblem('has neither prefix (a prefix) nor address (an ip-address)');
    const kind = isPrefix ? 'prefix' : 'ip-address';
    const key = isPrefix ? 'prefix' : 'address';
    if (typeof item[key] !== 'string') throw new ItemProblem(`${key} is ${describe(item[key])}, expected a CIDR string`, 'invalid');
    const text = cidrOrProblem(item[key] as string, key);
    const tags = netboxTags(item.tags);
    let cidr = text;
    if (!isPrefix) {
      // an ip-address is one host; its /len is the subnet it sits in, kept only as information
      const [address, len] = text.split('/') as [string, string];
      cidr = hostCidr(address);
      tags['netbox.prefix_length'] = len;
    }
    const assigned = isObject(item.assigned_object) ? item.assigned_object : undefined;
    if (assigned && typeof assigned.name === 'string') tags['netbox.interface'] = assigned.name;
    const scopeType = typeof item.scope_type === 'string' ? item.scope_type : undefined;
    const attrs: Partial<Record<IpamAttribute, string>> = {};
    const set = (attrsFor: IpamAttribute[], value: string | undefined): void => {
      if (value !== undefined && value.trim() !== '') for (const a of attrsFor) attrs[a] = value.trim();
    };
    set(map.description, typeof item.description === 'string' ? item.description : undefined);
    set(map.dnsName, typeof item.dns_name === 'string' ? item.dns_name : undefined);
    set(map.tenantName, nameOf(item.tenant));
    set(map.tenant, slugOf(item.tenant));
    set(map.role, nameOf(item.role));
    set(map.site, nameOf(item.site) ?? (scopeType === 'dcim.site' ? nameOf(item.scope) : undefined));
    set(map.region, scopeType === 'dcim.region' ? nameOf(item.scope) : undefined);
    set(map.vrf, nameOf(item.vrf));
    set(map.device, assigned ? nameOf(assigned.device) ?? nameOf(assigned.virtual_machine) : undefined);
    const custom = isObject(item.custom_fields) ? item.custom_fields : {};
    for (const [attr, fields] of Object.entries(customFields) as [IpamAttribute, string[] | undefined][]) {
      set([attr], fields?.map((f) => customValue(custom[f])).find((v) => v !== undefined));
    }
    const id = item.id !== undefined ? String(item.id) : `results[${i}]`;
    records.push(withTags({ cidr, source: 'netbox' as const, origin: `${origin}#${kind}/${id}`, attrs }, tags));
  }, invalid);
  return { records, problems, ...invalidLines(invalid) };
}

/** Nested objects print {name} (Tenant, Site, VRF, Role) or {value, label} (choices such as ip-address role). */
function nameOf(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (!isObject(ref)) return undefined;
  for (const key of ['name', 'label', 'display', 'value']) if (typeof ref[key] === 'string' && ref[key] !== '') return ref[key] as string;
  return undefined;
}

/** A tenant's slug; a hand-made export's tenant without one (a plain name, {name}) is slugified. */
function slugOf(ref: unknown): string | undefined {
  if (isObject(ref) && typeof ref.slug === 'string' && ref.slug.trim() !== '') return ref.slug.trim();
  const name = nameOf(ref);
  return name === undefined ? undefined : slugify(name) || undefined;
}

/** status is {value, label} in the API; a plain string in hand-made exports. */
function choice(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref : isObject(ref) && typeof ref.value === 'string' ? ref.value : undefined;
}

function customValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return nameOf(value);
}

/** NetBox tags are labels, not key/value: keyed by slug (stable) with the display name as value. */
function netboxTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  optArray({ tags: value }, 'tags').forEach((raw, i) => {
    const tag = asObject(raw, `tags[${i}]`);
    const slug = typeof tag.slug === 'string' ? tag.slug : typeof tag.name === 'string' ? tag.name : undefined;
    if (slug === undefined) throw new ItemProblem(`tags[${i}] has neither slug nor name`);
    tags[slug] = typeof tag.name === 'string' ? tag.name : slug;
  });
  return tags;
}
