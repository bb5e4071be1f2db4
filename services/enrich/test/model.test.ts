/**
 * Merging sources into one model: precedence on the same prefix, inheritance
 * from enclosing prefixes, ownership rules, internal/egress, and what
 * `flowlog ipam check` reports. Then the hot path on a real batch.
 */
import { describe, expect, it } from 'vitest';
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import { FlowBatch } from '../../core/flow-batch.js';
import { parseIpText } from '../../core/ip.js';
import { rowToRecord } from '../../core/record.js';
import { builtinClassRecords } from '../builtin-classes.js';
import { Enricher } from '../enricher.js';
import type { IpamRecord } from '../ipam-record.js';
import { buildModel } from '../model.js';

const rec = (cidr: string, source: IpamRecord['source'], attrs: IpamRecord['attrs'], tags?: Record<string, string>): IpamRecord =>
  ({ cidr, source, origin: `${source}.test`, attrs, ...(tags ? { tags } : {}) });

const records: IpamRecord[] = [
  ...builtinClassRecords(),
  rec('10.1.0.0/16', 'aws', { vpc: 'vpc-1', account: '111122223333', env: 'prod' }, { Team: 'payments' }),
  rec('10.1.2.0/24', 'aws', { subnet: 'subnet-2', vpc: 'vpc-1' }),
  rec('10.1.2.0/24', 'static', { segment: 'pci', subnet: 'pci-app' }),
  rec('10.1.3.0/24', 'static', { owner: 'netops', segment: 'mgmt' }),
  rec('10.2.0.0/16', 'aws', { vpc: 'vpc-2', account: '444455556666' }),
  rec('52.216.0.0/15', 'provider', { service: 'S3', region: 'us-east-1', class: 'public' }),
  rec('2600:1f18::/32', 'aws', { vpc: 'vpc-6', owner: 'ipv6-team' }),
];

describe('IPAM model', () => {
  const model = buildModel({
    records,
    interfaces: [{ id: 'eni-0abc', source: 'aws', origin: 'enis.json', addresses: ['10.1.2.10'], attrs: { instance: 'i-0123', subnet: 'subnet-2', vpc: 'vpc-1' } }],
    rules: [{ vpc: 'vpc-1', owner: 'payments-team' }, { account: '444455556666', owner: 'data', set: { env: 'staging' } }, { eni: 'eni-0abc', owner: 'checkout' }],
    owners: ['payments-team', 'data', 'checkout', 'ipv6-team'],
  });
  const at = (cidr: string) => model.entries.find((e) => e.cidr === cidr)!;

  it('merges one prefix from several sources by precedence and reports nothing when they agree', () => {
    expect(at('10.1.2.0/24').attrs).toMatchObject({ subnet: 'pci-app', segment: 'pci', vpc: 'vpc-1', env: 'prod', class: 'private' });
    expect(at('10.1.2.0/24').sources).toEqual(['static', 'aws']);
    expect(model.problems.filter((p) => p.kind === 'conflict')).toEqual([
      { kind: 'conflict', cidr: '10.1.2.0/24', message: 'subnet: "pci-app" from static (static.test) wins over "subnet-2" from aws (aws.test)' },
    ]);
  });

  it('inherits unset attributes and applies ownership rules by precedence', () => {
    expect(at('10.1.0.0/16').attrs.owner).toBe('payments-team'); // no owner of its own (raw tags are not mapped here): the VPC rule
    expect(at('10.1.2.0/24').attrs.owner).toBe('payments-team'); // inherited vpc -> same rule
    expect(at('10.1.3.0/24').attrs.owner).toBe('netops'); // static owner beats every rule
    expect(at('10.1.2.10/32').attrs).toMatchObject({ owner: 'checkout', eni: 'eni-0abc', instance: 'i-0123', segment: 'pci', env: 'prod' });
    expect(at('10.2.0.0/16').attrs).toMatchObject({ owner: 'data', env: 'staging' }); // rule by account, with set
    expect(at('52.216.0.0/15')).toMatchObject({ internal: false, org: false });
    expect(at('10.1.0.0/16')).toMatchObject({ internal: true, org: true });
  });

  it('reports unknown owners, unowned organisation prefixes and host bits', () => {
    const m = buildModel({ records: [...builtinClassRecords(), rec('10.9.0.1/16', 'static', { owner: 'nobody-knows' }), rec('10.8.0.0/16', 'netbox', {})], owners: ['a'] });
    expect(m.problems.map((p) => [p.kind, p.cidr])).toEqual(expect.arrayContaining([
      ['host-bits', '10.9.0.1/16'], ['unknown-owner', '10.9.0.0/16'], ['no-owner', '10.8.0.0/16'],
    ]));
  });

  it('reports a prefix whose children cover it entirely as shadowed', () => {
    const m = buildModel({ records: [rec('10.0.0.0/23', 'static', { owner: 'a' }), rec('10.0.0.0/24', 'static', { owner: 'b' }), rec('10.0.1.0/24', 'static', { owner: 'c' })] });
    expect(m.problems.filter((p) => p.kind === 'shadowed').map((p) => p.cidr)).toEqual(['10.0.0.0/23']);
  });

  it('gives equal versions for equal inputs in any order, another for a change', () => {
    const again = buildModel({ records: [...records].reverse(), interfaces: [{ id: 'eni-0abc', source: 'aws', origin: 'enis.json', addresses: ['10.1.2.10'], attrs: { instance: 'i-0123', subnet: 'subnet-2', vpc: 'vpc-1' } }],
      rules: [{ vpc: 'vpc-1', owner: 'payments-team' }, { account: '444455556666', owner: 'data', set: { env: 'staging' } }, { eni: 'eni-0abc', owner: 'checkout' }] });
    expect(again.version).toBe(model.version);
    expect(buildModel({ records: records.slice(1) }).version).not.toBe(model.version);
  });

  it('enriches a batch: both sides, classes, internal and egress', () => {
    const flows: [string, string][] = [['10.1.2.10', '52.217.1.1'], ['10.2.5.5', '10.1.3.4'], ['8.8.8.8', '10.1.2.10'], ['2600:1f18::5', '2a00::1'], ['100.64.1.1', '192.0.2.7']];
    const batch = new FlowBatch(8);
    for (const c of ['src_addr', 'dst_addr'] as const) batch.use(COLUMN_INDEX[c]);
    flows.forEach(([s, d], r) => {
      batch.ip[COLUMN_INDEX.src_addr]!.set(parseIpText(s)!, r * 16); batch.nulls[COLUMN_INDEX.src_addr]![r] = 0;
      batch.ip[COLUMN_INDEX.dst_addr]!.set(parseIpText(d)!, r * 16); batch.nulls[COLUMN_INDEX.dst_addr]![r] = 0;
    });
    batch.length = flows.length + 1; // the last row has no addresses
    Enricher.fromModel(model).apply(batch);
    const pick = (r: number) => {
      const x = rowToRecord(batch, r);
      return [x.src_owner, x.src_segment, x.src_class, x.src_is_internal, x.dst_owner, x.dst_service, x.dst_class, x.dst_is_internal, x.egress];
    };
    expect(pick(0)).toEqual(['checkout', 'pci', 'private', 1, null, 'S3', 'public', 0, 1]);
    expect(pick(1)).toEqual(['data', null, 'private', 1, 'netops', null, 'private', 1, 0]);
    expect(pick(2)).toEqual([null, null, 'public', 0, 'checkout', null, 'private', 1, 0]);
    expect(pick(3)).toEqual(['ipv6-team', null, 'public', 1, null, null, 'public', 0, 1]);
    expect(pick(4)).toEqual([null, null, 'cgnat', 1, null, null, 'documentation', 0, 0]);
    expect(pick(5)).toEqual([null, null, null, null, null, null, null, null, null]);
  });
});
