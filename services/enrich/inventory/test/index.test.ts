/**
 * Format sniffing: each format is recognised from its content, whatever the
 * file is called, and an unknown document fails naming what it holds.
 */
import { describe, expect, it } from 'vitest';
import { readIpamDocument, readIpamDocuments, sniffIpamDocument } from '../index.js';

describe('sniffIpamDocument', () => {
  it('recognises each format by its shape', () => {
    const kinds = [
      ['a.json', '{"Vpcs": []}'],
      ['b.json', '{"NetworkInterfaces": [], "NextToken": "x"}'],
      ['c.json', '[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/n", "ipConfigurations": []}]'],
      ['d.json', '{"count": 0, "next": null, "previous": null, "results": []}'],
      ['e.json', '{"syncToken": "1", "createDate": "x", "prefixes": [], "ipv6_prefixes": []}'],
      ['f.json', '{"changeNumber": 1, "cloud": "Public", "values": []}'],
      ['g.json', '{"prefixes": [{"cidr": "10.0.0.0/8"}]}'],
      ['ipam', 'prefixes:\n  - cidr: 10.0.0.0/8\n'],
      ['ipam.txt', 'cidr,name\n10.0.0.0/8,x\n'],
      ['vpcs.yaml', 'Vpcs:\n- VpcId: vpc-1\n  CidrBlock: 10.0.0.0/16\n'],
      ['empty.json', '[]'],
      ['flow.yaml', '{prefixes: [{cidr: 10.0.0.0/8}]}'],
    ].map(([path, text]) => sniffIpamDocument(path as string, text as string).kind);
    expect(kinds).toEqual(['aws-inventory', 'aws-inventory', 'azure-inventory', 'netbox', 'aws-ip-ranges', 'azure-service-tags', 'static-yaml', 'static-yaml', 'static-csv', 'aws-inventory', 'azure-inventory', 'static-yaml']);
  });

  it('fails an unknown document naming its keys, and broken JSON', () => {
    expect(() => sniffIpamDocument('x.json', '{"Reservations": []}')).toThrow(/^x\.json: unrecognised IPAM document \(an object with keys Reservations\)/);
    expect(() => sniffIpamDocument('x.json', '{"Vpcs": [')).toThrow(/^x\.json: not valid JSON: /);
  });
});

describe('readIpamDocument(s)', () => {
  it('reads aws --output yaml like the JSON output', () => {
    const r = readIpamDocument('vpcs.yaml', 'Vpcs:\n- VpcId: vpc-1\n  OwnerId: "123456789012"\n  CidrBlock: 10.0.0.0/16\n');
    expect(r.records).toEqual([{ cidr: '10.0.0.0/16', source: 'aws', origin: 'vpcs.yaml#vpc-1', attrs: { vpc: 'vpc-1', account: '123456789012' } }]);
  });

  it('reads AWS files together so a VPC gets its region from a subnet in another file', () => {
    const r = readIpamDocuments([
      { path: 'vpcs.json', text: '{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}' },
      { path: 'ipam.csv', text: 'cidr,name\n10.0.0.0/8,corp\n' },
      { path: 'subnets.json', text: '{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "eu-central-1b"}]}' },
    ]);
    expect(r.records.map((x) => [x.cidr, x.attrs.region])).toEqual([['10.0.0.0/8', undefined], ['10.0.0.0/16', 'eu-central-1'], ['10.0.1.0/24', 'eu-central-1']]);
  });
});
