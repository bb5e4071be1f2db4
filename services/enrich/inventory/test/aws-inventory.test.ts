/**
 * AWS inventory: a malformed VPC, subnet or ENI is skipped and named by index
 * and id; a document that is not describe-* output fails with its keys.
 */
import { describe, expect, it } from 'vitest';
import { eniServiceHint } from '../aws-eni-hints.js';
import { readAwsInventory, regionFromZone } from '../aws-inventory.js';

describe('readAwsInventory', () => {
  it('skips malformed items and names each by index and id', () => {
    const vpcs = {
      Vpcs: [
        { VpcId: 'vpc-0aaaaaaaaaaaaaaa1', OwnerId: '123456789012', CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }] },
        { VpcId: 'vpc-0bbbbbbbbbbbbbbb2', CidrBlockAssociationSet: [{ CidrBlock: '10.1.0.0', CidrBlockState: { State: 'associated' } }] },
        { OwnerId: '123456789012', CidrBlock: '10.2.0.0/16' },
        { VpcId: 'vpc-0ccccccccccccccc3', CidrBlock: '10.3.0.0/16', Tags: { Name: 'not-a-list' } },
      ],
    };
    const enis = {
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-0ddddddddddddddd4', PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.300' }] },
        { NetworkInterfaceId: 'eni-0eeeeeeeeeeeeeee5', PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.5' }], Ipv4Prefixes: [{ Ipv4Prefix: '10.0.9.0/33' }] },
      ],
    };
    const r = readAwsInventory([{ origin: 'vpcs.json', json: vpcs }, { origin: 'enis.json', json: enis }]);
    expect(r.records.map((x) => x.cidr)).toEqual(['10.0.0.0/16']);
    expect(r.interfaces).toEqual([]);
    expect(r.problems).toEqual([
      'vpcs.json Vpcs[1] (vpc-0bbbbbbbbbbbbbbb2): CidrBlockAssociationSet[0].CidrBlock "10.1.0.0" is not an IPv4/IPv6 CIDR (address/length)',
      'vpcs.json Vpcs[2]: VpcId is missing',
      'vpcs.json Vpcs[3] (vpc-0ccccccccccccccc3): Tags is an object, expected an array of {Key, Value}',
      'enis.json NetworkInterfaces[0] (eni-0ddddddddddddddd4): PrivateIpAddresses[0].PrivateIpAddress "10.0.1.300" is not an IPv4/IPv6 address',
      'enis.json NetworkInterfaces[1] (eni-0eeeeeeeeeeeeeee5): Ipv4Prefixes[0].Ipv4Prefix "10.0.9.0/33" is not an IPv4/IPv6 CIDR (address/length)',
    ]);
  });

  it('keeps the first of an id listed twice: silently when identical (RAM sharing), reported when not', () => {
    const subnet = { SubnetId: 'subnet-0aaaaaaaaaaaaaaa1', VpcId: 'vpc-0aaaaaaaaaaaaaaa1', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'eu-west-1a' };
    const docs = [
      { origin: 'a.json', json: { Subnets: [subnet] } },
      { origin: 'b.json', json: { Subnets: [{ ...subnet }] } },
      { origin: 'c.json', json: { Subnets: [{ ...subnet, CidrBlock: '10.0.2.0/24' }] } },
    ];
    const r = readAwsInventory(docs);
    expect(r.records.map((x) => x.origin)).toEqual(['a.json#subnet-0aaaaaaaaaaaaaaa1']);
    expect(r.problems).toEqual(['c.json Subnets[0] (subnet-0aaaaaaaaaaaaaaa1): subnet-0aaaaaaaaaaaaaaa1 is already listed, differently, in a.json Subnets[0] (two exports of different age?); the first is kept']);
  });

  it('lets structure win over tags and maps tags through the TagKeyMap', () => {
    const doc = { Subnets: [{ SubnetId: 'subnet-01', VpcId: 'vpc-01', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'eu-west-1a', Tags: [{ Key: 'Squad', Value: 'edge' }, { Key: 'vpc', Value: 'lies' }] }] };
    const r = readAwsInventory([{ origin: 's.json', json: doc }], { owner: ['Owner', 'Squad'], vpc: ['vpc'] });
    expect(r.records[0]?.attrs).toEqual({ owner: 'edge', vpc: 'vpc-01', subnet: 'subnet-01', region: 'eu-west-1' });
  });

  it('gives an ENI without AvailabilityZone (trimmed with --query) the region of its subnet', () => {
    const subnets = { Subnets: [{ SubnetId: 'subnet-01', VpcId: 'vpc-01', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'ap-south-2b' }] };
    const enis = { NetworkInterfaces: [{ NetworkInterfaceId: 'eni-01', SubnetId: 'subnet-01', PrivateIpAddress: '10.0.1.9' }] };
    const r = readAwsInventory([{ origin: 'e.json', json: enis }, { origin: 's.json', json: subnets }]);
    expect(r.interfaces).toEqual([{ id: 'eni-01', source: 'aws', origin: 'e.json#eni-01', addresses: ['10.0.1.9'], attrs: { eni: 'eni-01', subnet: 'subnet-01', region: 'ap-south-2' } }]);
  });

  it('fails a document that is not describe-vpcs/-subnets/-network-interfaces output', () => {
    expect(() => readAwsInventory([{ origin: 'i.json', json: { Reservations: [] } }])).toThrow(
      'i.json: not an AWS describe-vpcs/describe-subnets/describe-network-interfaces document: expected exactly one of Vpcs, Subnets, NetworkInterfaces as a list, found top-level keys Reservations',
    );
  });
});

describe('regionFromZone', () => {
  it('handles AZs, Local Zones and Wavelength zones', () => {
    expect(['us-east-1a', 'us-west-2-lax-1a', 'us-east-1-wl1-bos-wlz-1', 'us-gov-west-1b', 'ap-southeast-4c', 'use1-az1'].map(regionFromZone))
      .toEqual(['us-east-1', 'us-west-2', 'us-east-1', 'us-gov-west-1', 'ap-southeast-4', undefined]);
  });
});

describe('eniServiceHint', () => {
  it('names the managed service behind an untagged ENI', () => {
    expect(eniServiceHint({ interfaceType: 'network_load_balancer', description: 'ELB net/edge-nlb/0a1b2c3d4e5f6a7b' })).toBe('nlb/edge-nlb');
    expect(eniServiceHint({ interfaceType: 'interface', description: 'ELB legacy-web', requesterId: 'amazon-elb' })).toBe('elb/legacy-web');
    expect(eniServiceHint({ interfaceType: 'gateway_load_balancer', description: 'ELB gwy/fw-gwlb/1234567890abcdef' })).toBe('gwlb/fw-gwlb');
    expect(eniServiceHint({ interfaceType: 'interface', description: 'arn:aws:ecs:eu-west-1:123456789012:attachment/3f1c0d2e-aaaa-bbbb-cccc-0123456789ab' })).toBe('ecs');
    expect(eniServiceHint({ interfaceType: 'interface', description: 'Amazon EKS prod-cluster' })).toBe('eks/prod-cluster');
    expect(eniServiceHint({ interfaceType: 'interface', description: 'RDSNetworkInterface', requesterId: 'amazon-rds' })).toBe('rds');
    expect(eniServiceHint({ interfaceType: 'transit_gateway', description: 'Network Interface for Transit Gateway Attachment tgw-attach-0a1b2c3d4e5f6a7b8' })).toBe('transit-gateway');
    expect(eniServiceHint({ interfaceType: 'interface', description: 'primary network interface' })).toBeUndefined();
  });
});
