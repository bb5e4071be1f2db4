/**
 * Public ranges published by the clouds: AWS ip-ranges.json and the Azure
 * Service Tags file. Both list one prefix under several names (AWS under
 * "AMAZON" and e.g. "S3"; Azure under "AzureCloud", "AzureCloud.westeurope",
 * "Storage" and "Storage.WestEurope"), so each prefix becomes one record with
 * the most specific name, and every name it was listed under kept in a tag.
 */
import { IpamSourceError, type IpamRecord } from '../ipam-record.js';
import { cidrValue } from './cidr-shape.js';
import { asObject, compact, describe, isObject, optArray, optString, reqString } from './json-access.js';
import { forEachItem, invalidLines, type IpamReadResult } from './read-result.js';

export function isAwsIpRanges(json: unknown): boolean {
  return isObject(json) && 'syncToken' in json && Array.isArray(json.prefixes);
}

export function isAzureServiceTags(json: unknown): boolean {
  return isObject(json) && 'changeNumber' in json && Array.isArray(json.values);
}

interface Candidate {
  service: string;
  region: string | undefined;
  rank: number;
  origin: string;
  extra: Record<string, string>;
}

/** One record per prefix: the highest rank wins, the first listed on a tie. */
class Best {
  private readonly byCidr = new Map<string, { best: Candidate; names: string[] }>();
  offer(cidr: string, c: Candidate, name: string): void {
    const seen = this.byCidr.get(cidr);
    if (!seen) { this.byCidr.set(cidr, { best: c, names: [name] }); return; }
    if (!seen.names.includes(name)) seen.names.push(name);
    if (c.rank > seen.best.rank) seen.best = c;
  }
  records(namesTag: string): IpamRecord[] {
    return [...this.byCidr].map(([cidr, { best, names }]) => ({
      cidr,
      source: 'provider' as const,
      origin: best.origin,
      attrs: compact({ service: best.service, region: best.region, class: 'public' }),
      tags: { ...best.extra, [namesTag]: names.join(',') },
    }));
  }
}

/** AMAZON is the umbrella for everything and EC2 also covers ranges other services run on. */
function awsRank(service: string): number {
  return service === 'AMAZON' ? 0 : service === 'EC2' ? 1 : 2;
}

export function readAwsIpRanges(json: unknown, origin: string): IpamReadResult {
  if (!isAwsIpRanges(json)) throw new IpamSourceError(origin, `not AWS ip-ranges.json: expected {syncToken, createDate, prefixes, ipv6_prefixes}, found ${describe(json)}`);
  const doc = json as Record<string, unknown>;
  const best = new Best();
  const problems: string[] = [];
  const invalid: string[] = [];
  for (const [listKey, cidrKey] of [['prefixes', 'ip_prefix'], ['ipv6_prefixes', 'ipv6_prefix']] as const) {
    const items = optArray(doc, listKey);
    const label = (item: unknown, i: number): string => `${listKey}[${i}]${isObject(item) && typeof item[cidrKey] === 'string' ? ` (${item[cidrKey]})` : ''}`;
    forEachItem(items, label, origin, problems, (raw) => {
      const item = asObject(raw, 'the entry');
      const cidr = cidrValue(item[cidrKey], cidrKey);
      const service = reqString(item, 'service');
      const nbg = optString(item, 'network_border_group');
      best.offer(cidr, {
        service,
        region: optString(item, 'region'),
        rank: awsRank(service),
        origin: `${origin}#${cidr}`,
        extra: { provider: 'aws', ...(nbg ? { network_border_group: nbg } : {}) },
      }, service);
    }, invalid);
  }
  return { records: best.records('aws_services'), problems, ...invalidLines(invalid) };
}

export function readAzureServiceTags(json: unknown, origin: string): IpamReadResult {
  if (!isAzureServiceTags(json)) throw new IpamSourceError(origin, `not an Azure Service Tags file: expected {changeNumber, cloud, values}, found ${describe(json)}`);
  const best = new Best();
  const problems: string[] = [];
  const invalid: string[] = [];
  const values = (json as { values: unknown[] }).values;
  const label = (item: unknown, i: number): string => `values[${i}]${isObject(item) && typeof item.name === 'string' ? ` (${item.name})` : ''}`;
  forEachItem(values, label, origin, problems, (raw, i) => {
    const item = asObject(raw, 'the service tag');
    const name = reqString(item, 'name');
    const props = asObject(item.properties, 'properties');
    const region = optString(props, 'region', 'properties.region');
    const system = optString(props, 'systemService', 'properties.systemService');
    // "AzureCloud.westeurope" has no systemService: its service is the name without the region
    const service = system ?? (region && name.includes('.') ? name.slice(0, name.indexOf('.')) : name);
    const rank = (system ? 2 : 0) + (region ? 1 : 0);
    // one bad prefix costs that prefix, not the thousands listed with it
    const prefixes = optArray(props, 'addressPrefixes', 'properties.addressPrefixes');
    forEachItem(prefixes, (_, j) => `values[${i}] (${name}) addressPrefixes[${j}]`, origin, problems, (p) => {
      best.offer(cidrValue(p, 'the prefix'), { service, region, rank, origin: `${origin}#${name}`, extra: { provider: 'azure', service_tag: name } }, name);
    }, invalid);
  }, invalid);
  return { records: best.records('azure_service_tags'), problems, ...invalidLines(invalid) };
}
