/**
 * One entry point for IPAM files: the format is recognised from the content
 * (top-level keys and shape), so a config only lists paths. AWS and Azure
 * inventories listed together are read together (a VPC's region comes from
 * its subnets' zones), hence readIpamDocuments next to readIpamDocument.
 */
import { DEFAULT_TAG_KEYS, IpamSourceError, type TagKeyMap } from '../ipam-record.js';
import { awsDocumentKind, readAwsInventory, type InventoryDoc } from './aws-inventory.js';
import { azureDocumentKind, readAzureInventory } from './azure-inventory.js';
import { isObject } from './json-access.js';
import { isNetboxPage, readNetbox, type NetboxMapping } from './netbox.js';
import { isAwsIpRanges, isAzureServiceTags, readAwsIpRanges, readAzureServiceTags } from './provider-ranges.js';
import { invalidLines, type IpamReadResult } from './read-result.js';
import { detectStaticFormat, parseYamlText, readStaticFile, readStaticPrefixes } from './static-file.js';

export type { IpamReadResult } from './read-result.js';
export { readStaticFile, detectStaticFormat, type StaticFormat } from './static-file.js';
export { readAwsInventory, regionFromZone, type InventoryDoc } from './aws-inventory.js';
export { readAzureInventory } from './azure-inventory.js';
export { readNetbox, DEFAULT_NETBOX_MAPPING, type NetboxMapping, type NetboxReadOptions } from './netbox.js';
export { pullNetbox, type NetboxPullOptions } from './netbox-pull.js';
export { readAwsIpRanges, readAzureServiceTags } from './provider-ranges.js';

export type IpamDocumentKind = 'static-yaml' | 'static-csv' | 'aws-inventory' | 'azure-inventory' | 'netbox' | 'aws-ip-ranges' | 'azure-service-tags';

export interface ReadIpamOptions {
  tagKeys?: TagKeyMap;
  netbox?: Partial<NetboxMapping>;
}

export interface SniffedDocument {
  kind: IpamDocumentKind;
  /** The parsed document, for every kind but static-csv (whose reader takes the text). */
  json?: unknown;
}

/** Which format a file holds; throws IpamSourceError naming what was found when it is none of them. */
export function sniffIpamDocument(path: string, text: string): SniffedDocument {
  const body = text.replace(/^\uFEFF/, '');
  if (/\.csv$/i.test(path)) return { kind: 'static-csv' };
  let json: unknown;
  const yamlByName = /\.ya?ml$/i.test(path);
  if (!yamlByName && (/\.json$/i.test(path) || /^\s*[[{]/.test(body))) {
    try { json = JSON.parse(body); } catch (err) {
      throw new IpamSourceError(path, `not valid JSON: ${(err as Error).message}`);
    }
  } else if (yamlByName || detectStaticFormat(body, path) === 'yaml') {
    // `aws ec2 describe-vpcs --output yaml` reads the same as its JSON
    json = parseYamlText(body, path);
  } else return { kind: 'static-csv' };
  if (isAwsIpRanges(json)) return { kind: 'aws-ip-ranges', json };
  if (isAzureServiceTags(json)) return { kind: 'azure-service-tags', json };
  if (awsDocumentKind(json)) return { kind: 'aws-inventory', json };
  if (isNetboxPage(json)) return { kind: 'netbox', json };
  // [] is what az prints for a subscription without VNets/NICs: nothing to read, not an error
  if (azureDocumentKind(json) || (Array.isArray(json) && json.length === 0)) return { kind: 'azure-inventory', json };
  if (isObject(json) && Array.isArray(json.prefixes)) return { kind: 'static-yaml', json };
  const found = isObject(json) ? `an object with keys ${Object.keys(json).slice(0, 8).join(', ') || '(none)'}` : Array.isArray(json) ? 'an array of unrecognised items' : `a ${typeof json}`;
  throw new IpamSourceError(path, `unrecognised IPAM document (${found}): expected a static file {prefixes}, aws ec2 describe-vpcs/-subnets/-network-interfaces, az network vnet/nic list, a NetBox API page, AWS ip-ranges.json or Azure Service Tags`);
}

export function readIpamDocument(path: string, text: string, opts: ReadIpamOptions = {}): IpamReadResult & { kind: IpamDocumentKind } {
  const { kind, json } = sniffIpamDocument(path, text);
  return { kind, ...readSniffed(kind, [{ origin: path, json: kind === 'static-csv' ? text : json }], opts) };
}

/** Several files at once: each read like readIpamDocument, but all AWS (and all Azure) inventory in one pass. */
export function readIpamDocuments(files: { path: string; text: string }[], opts: ReadIpamOptions = {}): IpamReadResult {
  const groups = new Map<IpamDocumentKind, InventoryDoc[]>();
  const out: Required<Omit<IpamReadResult, 'invalid'>> = { records: [], interfaces: [], problems: [] };
  const invalid: string[] = [];
  const add = (r: IpamReadResult): void => {
    out.records.push(...r.records);
    out.interfaces.push(...(r.interfaces ?? []));
    out.problems.push(...r.problems);
    invalid.push(...(r.invalid ?? []));
  };
  for (const { path, text } of files) {
    const { kind, json } = sniffIpamDocument(path, text);
    if (kind === 'aws-inventory' || kind === 'azure-inventory') groups.set(kind, [...(groups.get(kind) ?? []), { origin: path, json }]);
    else add(readSniffed(kind, [{ origin: path, json: kind === 'static-csv' ? text : json }], opts));
  }
  for (const [kind, docs] of groups) add(readSniffed(kind, docs, opts));
  return { ...out, ...invalidLines(invalid) };
}

/** `json` is the parsed document, or the text itself for static-csv. */
function readSniffed(kind: IpamDocumentKind, docs: InventoryDoc[], opts: ReadIpamOptions): IpamReadResult {
  const tagKeys = opts.tagKeys ?? DEFAULT_TAG_KEYS;
  const [first] = docs as [InventoryDoc];
  switch (kind) {
    case 'static-csv': return readStaticFile(typeof first.json === 'string' ? first.json : '', first.origin, 'csv');
    case 'static-yaml': return readStaticPrefixes(first.json, first.origin);
    case 'aws-inventory': return readAwsInventory(docs, tagKeys);
    case 'azure-inventory': return readAzureInventory(docs, tagKeys);
    case 'netbox': return readNetbox(first.json, first.origin, { tagKeys, ...(opts.netbox ? { mapping: opts.netbox } : {}) });
    case 'aws-ip-ranges': return readAwsIpRanges(first.json, first.origin);
    case 'azure-service-tags': return readAzureServiceTags(first.json, first.origin);
  }
}
