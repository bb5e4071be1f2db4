/**
 * The canonical flow record: the SQL contract users learn.
 *
 * This list is the single source of truth. The parser's column buffers, the
 * NDJSON of `flowlog parse`, the zod record schema and the ClickHouse DDL in
 * sql/migrations are all derived from (or checked against) it; the drift test
 * in services/store/test fails when any of them disagree.
 */
import { z } from 'zod';

/** How a column is held in the hot path and stored. */
export type ColumnKind = 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'ip' | 'time';

export interface ColumnDef {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** LowCardinality in ClickHouse: for strings with few distinct values per part. */
  readonly lc?: boolean;
  readonly doc: string;
}

const col = <N extends string, K extends ColumnKind, Nl extends boolean>(
  name: N, kind: K, nullable: Nl, doc: string, lc = false,
) => ({ name, kind, nullable, doc, lc }) as const;

const s = <N extends string>(name: N, doc: string) => col(name, 'str', true, doc, false);
const lcs = <N extends string>(name: N, doc: string) => col(name, 'str', true, doc, true);

/** The enrichment columns of one side of a flow, all from the IPAM lookup of its address. */
const side = <P extends 'src' | 'dst'>(p: P, who: string) => [
  lcs(`${p}_vpc`, `VPC / VNet of the ${who} address (IPAM)`),
  lcs(`${p}_subnet`, `subnet of the ${who} address (IPAM)`),
  lcs(`${p}_env`, `environment of the ${who} address (IPAM)`),
  lcs(`${p}_segment`, `network segment of the ${who} address (IPAM)`),
  lcs(`${p}_owner`, `team owning the ${who} address (IPAM, inventory tags, ownership rules)`),
  lcs(`${p}_service`, `service of the ${who} address: IPAM/inventory, else the cloud service of a provider range (S3, AzureStorage, ...)`),
  lcs(`${p}_class`, `address class of the ${who}: private | cgnat | link-local | loopback | multicast | documentation | reserved | public`),
  col(`${p}_is_internal`, 'u8', true, `1 when the ${who} address belongs to the organisation (any IPAM/inventory entry or a non-public class)`),
] as const;

export const FLOW_COLUMNS = [
  col('provider', 'str', false, 'aws | azure', true),
  col('log_type', 'str', false, 'vpc | tgw | nsg | vnet', true),
  col('version', 'u8', true, 'flow log format version (AWS version field, Azure NSG Version / VNet flowLogVersion)'),
  col('start_time', 'time', false, 'start of the capture window (UTC); Azure: the tuple timestamp'),
  col('end_time', 'time', false, 'end of the capture window (UTC); Azure: the tuple timestamp'),
  lcs('account_id', 'AWS account id of the interface owner; Azure subscription id'),
  s('interface_id', 'ENI id (AWS)'),
  col('src_addr', 'ip', true, 'source address (IPv4 stored IPv4-mapped)'),
  col('dst_addr', 'ip', true, 'destination address'),
  col('src_port', 'u16', true, 'source port'),
  col('dst_port', 'u16', true, 'destination port'),
  col('protocol', 'u8', true, 'IANA protocol number'),
  col('packets', 'u64', true, 'packets (Azure: source to destination)'),
  col('bytes', 'u64', true, 'bytes (Azure: source to destination)'),
  lcs('action', 'ACCEPT | REJECT'),
  lcs('log_status', 'OK | NODATA | SKIPDATA'),
  lcs('vpc_id', 'VPC id'),
  lcs('subnet_id', 'subnet id'),
  s('instance_id', 'EC2 instance id'),
  col('tcp_flags', 'u16', true, 'OR of TCP flags seen in the window (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32)'),
  lcs('traffic_type', 'AWS `type`: IPv4 | IPv6 | EFA'),
  col('pkt_src_addr', 'ip', true, 'packet-level source address'),
  col('pkt_dst_addr', 'ip', true, 'packet-level destination address'),
  lcs('region', 'AWS region'),
  lcs('az_id', 'availability zone id'),
  lcs('sublocation_type', 'wavelength | outpost | localzone'),
  lcs('sublocation_id', 'sublocation id'),
  lcs('pkt_src_aws_service', 'AWS service of pkt-srcaddr'),
  lcs('pkt_dst_aws_service', 'AWS service of pkt-dstaddr'),
  lcs('flow_direction', 'ingress | egress'),
  col('traffic_path', 'u8', true, 'egress path (1-8, AWS traffic-path)'),
  lcs('ecs_cluster_arn', 'ECS cluster ARN'),
  lcs('ecs_cluster_name', 'ECS cluster name'),
  s('ecs_container_instance_arn', 'ECS container instance ARN'),
  s('ecs_container_instance_id', 'ECS container instance id'),
  s('ecs_container_id', 'Docker id of the first container of the task'),
  s('ecs_second_container_id', 'Docker id of the second container'),
  lcs('ecs_service_name', 'ECS service name'),
  s('ecs_task_definition_arn', 'ECS task definition ARN'),
  s('ecs_task_arn', 'ECS task ARN'),
  s('ecs_task_id', 'ECS task id'),
  lcs('reject_reason', 'why the traffic was rejected (e.g. BPA)'),
  s('resource_id', 'AWS resource-id (e.g. regional NAT gateway); Azure NSG resourceId / VNet targetResourceID'),
  col('encryption_status', 'u8', true, 'AWS encryption-status'),
  lcs('resource_type', 'TGW: resource type (TransitGateway)'),
  lcs('tgw_id', 'transit gateway id'),
  lcs('tgw_attachment_id', 'TGW attachment id'),
  lcs('tgw_src_vpc_account_id', 'TGW source VPC account'),
  lcs('tgw_dst_vpc_account_id', 'TGW destination VPC account'),
  lcs('tgw_src_vpc_id', 'TGW source VPC'),
  lcs('tgw_dst_vpc_id', 'TGW destination VPC'),
  lcs('tgw_src_subnet_id', 'TGW source subnet'),
  lcs('tgw_dst_subnet_id', 'TGW destination subnet'),
  s('tgw_src_eni', 'TGW source ENI'),
  s('tgw_dst_eni', 'TGW destination ENI'),
  lcs('tgw_src_az_id', 'TGW source AZ'),
  lcs('tgw_dst_az_id', 'TGW destination AZ'),
  lcs('tgw_pair_attachment_id', 'TGW pair attachment'),
  col('packets_lost_no_route', 'u64', true, 'TGW packets lost: no route'),
  col('packets_lost_blackhole', 'u64', true, 'TGW packets lost: blackhole route'),
  col('packets_lost_mtu_exceeded', 'u64', true, 'TGW packets lost: MTU exceeded'),
  col('packets_lost_ttl_expired', 'u64', true, 'TGW packets lost: TTL expired'),
  s('mac', 'Azure interface MAC (as logged)'),
  lcs('rule', 'Azure NSG rule / VNet flow group rule'),
  lcs('flow_state', 'Azure flow state B | C | E | D'),
  lcs('encryption', 'Azure VNet encryption (X | NX | ...)'),
  col('reverse_packets', 'u64', true, 'Azure: destination to source packets'),
  col('reverse_bytes', 'u64', true, 'Azure: destination to source bytes'),
  col('source', 'str', false, 'object the record came from (S3 key, blob path or file)', true),
  // enrichment (IPAM, inventory, ownership): filled in the hot path, so security filters need no join
  ...side('src', 'source'),
  ...side('dst', 'destination'),
  col('egress', 'u8', true, '1 when an internal source talks to a public destination (leaves the organisation)'),
] as const;

export type FlowColumn = (typeof FLOW_COLUMNS)[number];
export type FlowColumnName = FlowColumn['name'];

type KindTs = { str: string; u8: number; u16: number; u32: number; u64: number; ip: string; time: string };
/** One record as `flowlog parse` prints it (addresses as text, times ISO 8601 UTC). */
export type FlowRecord = {
  [C in FlowColumn as C['name']]: KindTs[C['kind']] | (C['nullable'] extends true ? null : never);
};

export const COLUMN_INDEX: Readonly<Record<FlowColumnName, number>> = Object.fromEntries(
  FLOW_COLUMNS.map((c, i) => [c.name, i]),
) as Record<FlowColumnName, number>;

/** ClickHouse type of a column, as `DESCRIBE TABLE flows` reports it. */
export function clickhouseType(c: ColumnDef): string {
  const base: Record<ColumnKind, string> = {
    str: 'String', u8: 'UInt8', u16: 'UInt16', u32: 'UInt32', u64: 'UInt64', ip: 'IPv6',
    time: "DateTime64(3, 'UTC')",
  };
  let t = base[c.kind];
  if (c.nullable) t = `Nullable(${t})`;
  if (c.lc) t = `LowCardinality(${t})`;
  return t;
}

const kindZod: Record<ColumnKind, z.ZodTypeAny> = {
  str: z.string(),
  u8: z.number().int().min(0).max(255),
  u16: z.number().int().min(0).max(65535),
  u32: z.number().int().min(0).max(2 ** 32 - 1),
  u64: z.number().int().min(0),
  ip: z.string().ip(),
  time: z.string().datetime({ precision: 3 }),
};

/** zod schema of one NDJSON record; strict so an unknown key is drift too. */
export const flowRecordSchema = z
  .object(Object.fromEntries(FLOW_COLUMNS.map((c) => [c.name, c.nullable ? kindZod[c.kind].nullable() : kindZod[c.kind]])))
  .strict();

export const PROVIDERS = ['aws', 'azure'] as const;
export const LOG_TYPES = ['vpc', 'tgw', 'nsg', 'vnet'] as const;
