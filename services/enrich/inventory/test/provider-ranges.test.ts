/**
 * Provider ranges: one record per prefix with the most specific service, and
 * a bad entry (or one bad prefix inside an Azure tag) skipped and named.
 */
import { describe, expect, it } from 'vitest';
import { readAwsIpRanges, readAzureServiceTags } from '../provider-ranges.js';

describe('readAwsIpRanges', () => {
  it('prefers a named service over EC2 over AMAZON, whatever the order', () => {
    const json = {
      syncToken: '1', createDate: '2024-01-01-00-00-00',
      prefixes: [
        { ip_prefix: '18.206.107.24/29', region: 'us-east-1', service: 'EC2_INSTANCE_CONNECT', network_border_group: 'us-east-1' },
        { ip_prefix: '18.206.107.24/29', region: 'us-east-1', service: 'EC2', network_border_group: 'us-east-1' },
        { ip_prefix: '18.206.107.24/29', region: 'us-east-1', service: 'AMAZON', network_border_group: 'us-east-1' },
      ],
      ipv6_prefixes: [],
    };
    const [record] = readAwsIpRanges(json, 'ip-ranges.json').records;
    expect(record?.attrs).toEqual({ service: 'EC2_INSTANCE_CONNECT', region: 'us-east-1', class: 'public' });
    expect(record?.tags?.aws_services).toBe('EC2_INSTANCE_CONNECT,EC2,AMAZON');
  });

  it('names malformed entries', () => {
    const json = {
      syncToken: '1', createDate: '2024-01-01-00-00-00',
      prefixes: [{ ip_prefix: '3.5.0.0/33', region: 'us-east-1', service: 'S3' }, { ip_prefix: '3.5.0.0/19', region: 'us-east-1' }],
      ipv6_prefixes: [{ ip_prefix: '2600:1f18::/33', service: 'EC2' }],
    };
    expect(readAwsIpRanges(json, 'ip-ranges.json').problems).toEqual([
      'ip-ranges.json prefixes[0] (3.5.0.0/33): ip_prefix "3.5.0.0/33" is not an IPv4/IPv6 CIDR (address/length)',
      'ip-ranges.json prefixes[1] (3.5.0.0/19): service is missing',
      'ip-ranges.json ipv6_prefixes[0]: ipv6_prefix is missing, expected a CIDR string',
    ]);
  });
});

describe('readAzureServiceTags', () => {
  it('skips one bad prefix of a tag and keeps the rest', () => {
    const json = {
      changeNumber: 1, cloud: 'Public',
      values: [
        { name: 'Sql.NorthEurope', id: 'Sql.NorthEurope', properties: { region: 'northeurope', systemService: 'AzureSQL', addressPrefixes: ['13.69.224.0/26', '13.69.224.0/99'] } },
        { name: 'Broken', id: 'Broken' },
      ],
    };
    const r = readAzureServiceTags(json, 'ServiceTags_Public.json');
    expect(r.records.map((x) => [x.cidr, x.attrs.service, x.attrs.region])).toEqual([['13.69.224.0/26', 'AzureSQL', 'northeurope']]);
    expect(r.problems).toEqual([
      'ServiceTags_Public.json values[0] (Sql.NorthEurope) addressPrefixes[1]: the prefix "13.69.224.0/99" is not an IPv4/IPv6 CIDR (address/length)',
      'ServiceTags_Public.json values[1] (Broken): properties is missing, expected an object',
    ]);
  });
});
