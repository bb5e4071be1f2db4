/**
 * AWS VPC / TGW flow logs against the public Elastic corpus in
 * ../shared/conformance/aws-vpcflow: every input record parses, and its
 * addresses, ports, protocol, counters, times, action and status (plus every
 * other field the peer maps 1:1) equal the peer's expected output. Not run
 * when the corpus is absent (a plain clone), failed when it is required
 * (test/paths.ts); conformance-docs.test.ts always runs.
 *
 * The peer picks a layout by token count; flowlog never guesses, so each file
 * is parsed with the log format a user would have declared (the layouts below
 * are the ones ABOUT.md documents for those counts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceCorpus } from '../../../../test/paths.js';
import { compileLogFormat } from '../log-format.js';
import { parseAll } from './parse-helpers.js';

const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const V5_29 = `${V2} vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path`;
const ECS = 'ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id';
const FORMATS: Record<string, string> = {
  'test-extra-samples.log': V2,
  'test-with-message-field.log': V2,
  'test-tcp-flag-sequence.log': 'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status',
  'test-v5-all-fields.log': V5_29,
  'test-ecs-samples.log': `${V5_29} ${ECS}`,
  'test-v8-samples.log': `${V5_29} ${ECS} reject-reason`,
  'test-tgw-samples.log': 'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service',
};

type Doc = Record<string, any>;
const num = (v: unknown) => (v === undefined || v === null ? null : Number(v));
const str = (v: unknown) => (v === undefined || v === null ? null : String(v));

/** Our column -> the peer's value, for every field the peer keeps 1:1. */
function peerView(d: Doc): Record<string, unknown> {
  const a: Doc = d.aws?.vpcflow ?? {};
  return {
    src_addr: str(d.source?.ip), dst_addr: str(d.destination?.ip),
    src_port: num(d.source?.port), dst_port: num(d.destination?.port),
    protocol: num(d.network?.iana_number),
    packets: num(d.source?.packets), bytes: num(d.source?.bytes),
    start_time: str(d.event?.start), end_time: str(d.event?.end),
    action: str(a.action), log_status: str(a.log_status),
    version: num(a.version), account_id: str(a.account_id ?? d.cloud?.account?.id),
    interface_id: str(a.interface_id), vpc_id: str(a.vpc_id), subnet_id: str(a.subnet_id),
    instance_id: str(a.instance_id ?? d.cloud?.instance?.id),
    tcp_flags: num(a.tcp_flags), traffic_type: str(a.type),
    pkt_src_addr: str(a.pkt_srcaddr), pkt_dst_addr: str(a.pkt_dstaddr),
    pkt_src_aws_service: str(a.pkt_src_service), pkt_dst_aws_service: str(a.pkt_dst_service),
    traffic_path: num(a.traffic_path),
    flow_direction: str(d.network?.direction),
    // The peer keeps '-' for region/AZ (ABOUT.md); a dash means "no value", which is null for us.
    region: d.cloud?.region === '-' ? null : str(d.cloud?.region),
    az_id: d.cloud?.availability_zone === '-' ? null : str(d.cloud?.availability_zone),
    tgw_id: str(a.tgw_id), tgw_attachment_id: str(a.tgw_attachment_id),
    tgw_src_vpc_id: str(a.tgw_src_vpc_id), tgw_dst_vpc_id: str(a.tgw_dst_vpc_id),
    tgw_src_eni: str(a.tgw_src_eni), tgw_dst_eni: str(a.tgw_dst_eni),
    ecs_container_id: str(a.ecs_container_id), ecs_second_container_id: str(a.ecs_second_container_id),
    ecs_task_definition_arn: str(a.ecs_task_definition_arn), ecs_task_arn: str(a.ecs_task_arn), ecs_task_id: str(a.ecs_task_id),
    ecs_cluster_arn: str(d.orchestrator?.cluster?.id), ecs_cluster_name: str(d.orchestrator?.cluster?.name),
    ecs_service_name: str(d.service?.name),
    reject_reason: str(d.event?.reason),
  };
}

const corpus = conformanceCorpus();

describe.runIf(corpus.present)('AWS conformance corpus', () => {
  const dir = join(corpus.dir, 'aws-vpcflow');
  for (const [file, format] of Object.entries(FORMATS)) {
    it(`${file}: every record equals the peer's output`, () => {
      const input = readFileSync(join(dir, file));
      const expected: Doc[] = JSON.parse(readFileSync(join(dir, `${file}-expected.json`), 'utf8')).expected;
      const { records, rejected } = parseAll(input, { logFormat: compileLogFormat(format) });
      expect(rejected).toEqual([]);
      expect(records.length).toBe(expected.length);
      expect(records.length).toBeGreaterThan(0);
      records.forEach((rec, i) => {
        const peer = peerView(expected[i]!);
        const ours: Record<string, unknown> = {};
        for (const k of Object.keys(peer)) ours[k] = (rec as Record<string, unknown>)[k];
        // The peer deletes every '-' value, so an absent peer field must be null for us, and a present one equal.
        expect({ line: i + 1, ...ours }).toEqual({ line: i + 1, ...peer });
        expect(rec.log_type).toBe(file.includes('tgw') ? 'tgw' : 'vpc');
      });
    });
  }
});
