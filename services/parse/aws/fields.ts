/**
 * Every field AWS documents for VPC and Transit Gateway flow logs: the name as
 * written in a log format or header, the version that introduced it, how its
 * token is parsed, and the canonical column it lands in.
 */
import type { FlowColumnName } from '../../../schemas/flow.js';

/** How a token is read. Numeric codes because the hot loop switches on them. */
export const enum Tok {
  Str = 0, U8 = 1, U16 = 2, U64 = 3, Port = 4, Ip = 5, Time = 6, Action = 7, Status = 8, Skip = 9,
}

export interface AwsField {
  readonly name: string;
  readonly version: number;
  readonly tok: Tok;
  readonly column: FlowColumnName | null;
  /** Only Transit Gateway flow logs carry it: its presence makes log_type `tgw`. */
  readonly tgw?: boolean;
}

const f = (name: string, version: number, tok: Tok, column: FlowColumnName, tgw = false): AwsField =>
  ({ name, version, tok, column, tgw });

export const AWS_FIELDS: readonly AwsField[] = [
  f('version', 2, Tok.U8, 'version'),
  f('account-id', 2, Tok.Str, 'account_id'),
  f('interface-id', 2, Tok.Str, 'interface_id'),
  f('srcaddr', 2, Tok.Ip, 'src_addr'),
  f('dstaddr', 2, Tok.Ip, 'dst_addr'),
  f('srcport', 2, Tok.Port, 'src_port'),
  f('dstport', 2, Tok.Port, 'dst_port'),
  f('protocol', 2, Tok.U8, 'protocol'),
  f('packets', 2, Tok.U64, 'packets'),
  f('bytes', 2, Tok.U64, 'bytes'),
  f('start', 2, Tok.Time, 'start_time'),
  f('end', 2, Tok.Time, 'end_time'),
  f('action', 2, Tok.Action, 'action'),
  f('log-status', 2, Tok.Status, 'log_status'),
  f('vpc-id', 3, Tok.Str, 'vpc_id'),
  f('subnet-id', 3, Tok.Str, 'subnet_id'),
  f('instance-id', 3, Tok.Str, 'instance_id'),
  f('tcp-flags', 3, Tok.U16, 'tcp_flags'),
  f('type', 3, Tok.Str, 'traffic_type'),
  f('pkt-srcaddr', 3, Tok.Ip, 'pkt_src_addr'),
  f('pkt-dstaddr', 3, Tok.Ip, 'pkt_dst_addr'),
  f('region', 4, Tok.Str, 'region'),
  f('az-id', 4, Tok.Str, 'az_id'),
  f('sublocation-type', 4, Tok.Str, 'sublocation_type'),
  f('sublocation-id', 4, Tok.Str, 'sublocation_id'),
  f('pkt-src-aws-service', 5, Tok.Str, 'pkt_src_aws_service'),
  f('pkt-dst-aws-service', 5, Tok.Str, 'pkt_dst_aws_service'),
  f('flow-direction', 5, Tok.Str, 'flow_direction'),
  f('traffic-path', 5, Tok.U8, 'traffic_path'),
  f('ecs-cluster-arn', 7, Tok.Str, 'ecs_cluster_arn'),
  f('ecs-cluster-name', 7, Tok.Str, 'ecs_cluster_name'),
  f('ecs-container-instance-arn', 7, Tok.Str, 'ecs_container_instance_arn'),
  f('ecs-container-instance-id', 7, Tok.Str, 'ecs_container_instance_id'),
  f('ecs-container-id', 7, Tok.Str, 'ecs_container_id'),
  f('ecs-second-container-id', 7, Tok.Str, 'ecs_second_container_id'),
  f('ecs-service-name', 7, Tok.Str, 'ecs_service_name'),
  f('ecs-task-definition-arn', 7, Tok.Str, 'ecs_task_definition_arn'),
  f('ecs-task-arn', 7, Tok.Str, 'ecs_task_arn'),
  f('ecs-task-id', 7, Tok.Str, 'ecs_task_id'),
  f('reject-reason', 8, Tok.Str, 'reject_reason'),
  // Newer additions; their version numbers only matter for the implied version
  // of a custom format that omits ${version}.
  f('resource-id', 9, Tok.Str, 'resource_id'),
  f('encryption-status', 10, Tok.U8, 'encryption_status'),
  // Transit Gateway flow logs (version 6).
  f('resource-type', 6, Tok.Str, 'resource_type', true),
  f('tgw-id', 6, Tok.Str, 'tgw_id', true),
  f('tgw-attachment-id', 6, Tok.Str, 'tgw_attachment_id', true),
  f('tgw-src-vpc-account-id', 6, Tok.Str, 'tgw_src_vpc_account_id', true),
  f('tgw-dst-vpc-account-id', 6, Tok.Str, 'tgw_dst_vpc_account_id', true),
  f('tgw-src-vpc-id', 6, Tok.Str, 'tgw_src_vpc_id', true),
  f('tgw-dst-vpc-id', 6, Tok.Str, 'tgw_dst_vpc_id', true),
  f('tgw-src-subnet-id', 6, Tok.Str, 'tgw_src_subnet_id', true),
  f('tgw-dst-subnet-id', 6, Tok.Str, 'tgw_dst_subnet_id', true),
  f('tgw-src-eni', 6, Tok.Str, 'tgw_src_eni', true),
  f('tgw-dst-eni', 6, Tok.Str, 'tgw_dst_eni', true),
  f('tgw-src-az-id', 6, Tok.Str, 'tgw_src_az_id', true),
  f('tgw-dst-az-id', 6, Tok.Str, 'tgw_dst_az_id', true),
  f('tgw-pair-attachment-id', 6, Tok.Str, 'tgw_pair_attachment_id', true),
  f('packets-lost-no-route', 6, Tok.U64, 'packets_lost_no_route', true),
  f('packets-lost-blackhole', 6, Tok.U64, 'packets_lost_blackhole', true),
  f('packets-lost-mtu-exceeded', 6, Tok.U64, 'packets_lost_mtu_exceeded', true),
  f('packets-lost-ttl-expired', 6, Tok.U64, 'packets_lost_ttl_expired', true),
];

export const AWS_FIELD_BY_NAME: ReadonlyMap<string, AwsField> = new Map(AWS_FIELDS.map((x) => [x.name, x]));

/** The default format (version 2), used when neither a header nor a declared format says otherwise. */
export const DEFAULT_V2_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';
