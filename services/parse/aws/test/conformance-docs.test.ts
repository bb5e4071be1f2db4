/**
 * Conformance with AWS's own documentation: the flow log record examples of
 * the VPC user guide ("Flow log records" and "Flow log record examples"), as
 * S3 delivers them (a header line naming the fields), under conformance-docs/.
 * Each parses to its committed canonical records (written once by the parser,
 * then read field by field against the guide); the checks below restate what
 * the guide says the key fields mean, so the golden is not its own proof.
 * Unlike the Elastic corpus these always run: they are ours.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../../schemas/flow.js';
import { parseAll } from './parse-helpers.js';

const DIR = fileURLToPath(new URL('./conformance-docs/', import.meta.url));

function parse(file: string): FlowRecord[] {
  const { records, rejected, warnings } = parseAll(readFileSync(DIR + file), { source: file });
  expect(rejected).toEqual([]);
  expect(warnings).toEqual([]);
  return records;
}

describe('AWS documentation examples', () => {
  const inputs = readdirSync(DIR).filter((f) => f.endsWith('.log')).sort();

  it('has the three example files', () => {
    expect(inputs).toEqual(['custom-v3-tcp-flags.log', 'custom-v5-path-direction.log', 'default-v2.log']);
  });

  for (const file of inputs) {
    it(`${file}: equals its committed canonical records`, () => {
      const expected = readFileSync(DIR + file.replace(/\.log$/, '.expected.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(parse(file)).toEqual(expected);
    });
  }

  it('default format: accepted SSH, rejected RDP, NODATA, SKIPDATA, ICMP both ways, IPv6', () => {
    const [ssh, rdp, nodata, skipdata, icmpIn, icmpOut, v6] = parse('default-v2.log');
    // "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK":
    // SSH (22/TCP=6) allowed; 20 packets, 4249 bytes; start/end are Unix seconds
    expect(ssh).toMatchObject({
      version: 2, account_id: '123456789010', interface_id: 'eni-1235b8ca123456789', src_addr: '172.31.16.139', dst_addr: '172.31.16.21',
      src_port: 20641, dst_port: 22, protocol: 6, packets: 20, bytes: 4249, action: 'ACCEPT', log_status: 'OK',
      start_time: new Date(1418530010 * 1000).toISOString(), end_time: new Date(1418530070 * 1000).toISOString(), provider: 'aws', log_type: 'vpc',
    });
    expect(rdp).toMatchObject({ dst_port: 3389, protocol: 6, action: 'REJECT', log_status: 'OK' });
    // NODATA / SKIPDATA: no traffic (or records skipped) in the window; '-' means no value, never 0
    for (const [rec, status] of [[nodata, 'NODATA'], [skipdata, 'SKIPDATA']] as const) {
      expect(rec).toMatchObject({ log_status: status, action: null, src_addr: null, dst_addr: null, src_port: null, dst_port: null, protocol: null, packets: null, bytes: null });
      expect(rec!.start_time).toBe(new Date(1431280876 * 1000).toISOString());
    }
    expect(skipdata!.interface_id).toBe('eni-11111111aaaaaaaaa');
    // ping allowed in by the security group, the reply denied out by the network ACL: protocol 1 (ICMP), ports 0
    expect([icmpIn!.protocol, icmpIn!.action, icmpOut!.action, icmpOut!.src_addr]).toEqual([1, 'ACCEPT', 'REJECT', '172.31.16.139']);
    expect(v6).toMatchObject({ src_addr: '2001:db8:1234:a100:8d6e:3477:df66:f105', dst_addr: '2001:db8:1234:a102:3304:8879:34cf:4071', dst_port: 22 });
  });

  it('custom format with TCP flags: SYN (2), SYN-ACK (18), FIN (1), SYN+FIN (3), and bytes before packets as the header says', () => {
    const recs = parse('custom-v3-tcp-flags.log');
    expect(recs.map((r) => r.tcp_flags)).toEqual([2, 18, 1, 3]);
    expect(recs[0]).toMatchObject({
      version: 3, vpc_id: 'vpc-abcdefab012345678', subnet_id: 'subnet-aaaaaaaa012345678', instance_id: 'i-01234567890123456',
      traffic_type: 'IPv4', pkt_src_addr: '52.213.180.42', pkt_dst_addr: '10.0.0.62', bytes: 568, packets: 8,
    });
    expect(recs[3]).toMatchObject({ bytes: 23294588, packets: 15774 });
  });

  it('v5 fields: flow direction, traffic path (8 = through a gateway VPC endpoint), AWS services, region and AZ', () => {
    const [ingress, egress] = parse('custom-v5-path-direction.log');
    expect(ingress).toMatchObject({ flow_direction: 'ingress', traffic_path: null, pkt_src_aws_service: 'S3', pkt_dst_aws_service: null, region: 'ap-southeast-2', az_id: 'apse2-az3', sublocation_type: null, tcp_flags: 19 });
    expect(egress).toMatchObject({ flow_direction: 'egress', traffic_path: 8, pkt_src_aws_service: null, pkt_dst_aws_service: 'S3', src_port: 34210, dst_port: 80 });
  });
});
