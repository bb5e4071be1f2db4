/**
 * The engine reference's SQL: the ClickHouse engine (chdb) loading flow-log
 * objects straight into the `flows` table that `flowlog migrate` created, with
 * nothing of ours in between. It fills the columns the raw record carries
 * (no enrichment, no dedup tokens, no ledger): the bar flowlog's ingest is
 * measured against, as a ratio, in `npm run bench`.
 */
import { sqlString } from '../store/chdb-store.js';

export type EngineDataset = 'aws' | 'azure';

/**
 * AWS v5 fields, typed: a superset of v2 (default format), so one structure
 * reads both. CSVWithNames maps each object's own header by name, and the
 * fields a v2 object lacks are left NULL, as flowlog leaves them.
 */
const AWS_STRUCTURE = [
  'version Nullable(UInt8)', '`vpc-id` Nullable(String)', '`subnet-id` Nullable(String)', '`instance-id` Nullable(String)',
  '`interface-id` Nullable(String)', '`account-id` Nullable(String)', 'type Nullable(String)', 'srcaddr Nullable(IPv6)', 'dstaddr Nullable(IPv6)',
  'srcport Nullable(UInt16)', 'dstport Nullable(UInt16)', '`pkt-srcaddr` Nullable(IPv6)', '`pkt-dstaddr` Nullable(IPv6)', 'protocol Nullable(UInt8)',
  'bytes Nullable(UInt64)', 'packets Nullable(UInt64)', 'start UInt32', '`end` UInt32', 'action Nullable(String)', '`tcp-flags` Nullable(UInt16)',
  '`log-status` Nullable(String)', 'region Nullable(String)', '`az-id` Nullable(String)', '`sublocation-type` Nullable(String)',
  '`sublocation-id` Nullable(String)', '`pkt-src-aws-service` Nullable(String)', '`pkt-dst-aws-service` Nullable(String)',
  '`flow-direction` Nullable(String)', '`traffic-path` Nullable(UInt8)',
].join(', ');

const AWS_SETTINGS = "format_csv_delimiter = ' ', input_format_csv_allow_whitespace_or_tab_as_delimiter = 1, format_csv_null_representation = '-', " +
  'input_format_csv_empty_as_default = 0, input_format_with_names_use_header = 1, input_format_skip_unknown_fields = 1, ' +
  'input_format_defaults_for_omitted_fields = 1';

/** AWS v2/v5 text objects (gzip, header line) under `glob` -> flows. */
export function awsLoadSql(glob: string): string {
  return 'INSERT INTO flows (provider, log_type, version, start_time, end_time, account_id, interface_id, src_addr, dst_addr, src_port, dst_port, ' +
    'protocol, packets, bytes, action, log_status, vpc_id, subnet_id, instance_id, tcp_flags, traffic_type, pkt_src_addr, pkt_dst_addr, region, az_id, ' +
    'sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, flow_direction, traffic_path, source) ' +
    "SELECT 'aws', 'vpc', version, toDateTime64(start, 3, 'UTC'), toDateTime64(`end`, 3, 'UTC'), `account-id`, `interface-id`, srcaddr, dstaddr, " +
    'srcport, dstport, protocol, packets, bytes, action, `log-status`, `vpc-id`, `subnet-id`, `instance-id`, `tcp-flags`, type, `pkt-srcaddr`, ' +
    '`pkt-dstaddr`, region, `az-id`, `sublocation-type`, `sublocation-id`, `pkt-src-aws-service`, `pkt-dst-aws-service`, `flow-direction`, ' +
    `\`traffic-path\`, _path FROM file(${sqlString(glob)}, 'CSVWithNames', ${sqlString(AWS_STRUCTURE)}) SETTINGS ${AWS_SETTINGS}`;
}

/**
 * Azure PT1H.json blobs under `glob` -> flows, one row per flow tuple. NSG
 * (v2: records[].properties.flows[].flows[].flowTuples) and VNet (v4:
 * records[].flowRecords.flows[].flowGroups[].flowTuples) nest differently, so
 * one statement each; the tuple's fields land where flowlog's parser puts them.
 */
export function azureLoadSql(glob: string, mode: 'nsg' | 'vnet'): string {
  const nsg = mode === 'nsg';
  const groups = nsg
    ? "ARRAY JOIN JSONExtractArrayRaw(rec, 'properties', 'flows') AS grp ARRAY JOIN JSONExtractArrayRaw(grp, 'flows') AS f"
    : "ARRAY JOIN JSONExtractArrayRaw(rec, 'flowRecords', 'flows') AS fl ARRAY JOIN JSONExtractArrayRaw(fl, 'flowGroups') AS grp";
  const tuples = nsg ? "JSONExtract(f, 'flowTuples', 'Array(String)')" : "JSONExtract(grp, 'flowTuples', 'Array(String)')";
  const resource = nsg ? "JSONExtractString(rec, 'resourceId')" : "JSONExtractString(rec, 'targetResourceID')";
  // NSG: ..., T|U, I|O, A|D, state, counters; VNet: ..., proto, I|O, state, encryption, counters
  const time = nsg ? 'toDateTime64(toUInt32(t[1]), 3, \'UTC\')' : 'fromUnixTimestamp64Milli(toInt64(t[1]), \'UTC\')';
  const proto = nsg ? "if(t[6] = 'T', 6, 17)" : 'toUInt8(t[6])';
  const action = nsg ? "if(t[8] = 'A', 'ACCEPT', 'REJECT')" : "if(t[8] = 'D', 'REJECT', 'ACCEPT')";
  const state = nsg ? 't[9]' : 't[8]';
  const encryption = nsg ? 'NULL' : 't[9]';
  return 'INSERT INTO flows (provider, log_type, version, start_time, end_time, account_id, src_addr, dst_addr, src_port, dst_port, protocol, ' +
    'flow_direction, action, flow_state, encryption, packets, bytes, reverse_packets, reverse_bytes, log_status, resource_id, mac, rule, source) ' +
    `SELECT 'azure', '${mode}', ${nsg ? 2 : 4}, ${time} AS ts, ts, upper(splitByChar('/', ${resource})[3]), toIPv6(t[2]), toIPv6(t[3]), ` +
    `toUInt16(t[4]), toUInt16(t[5]), ${proto}, if(t[7] = 'I', 'ingress', 'egress'), ${action}, ${state}, ${encryption}, ` +
    "toUInt64OrNull(t[10]), toUInt64OrNull(t[11]), toUInt64OrNull(t[12]), toUInt64OrNull(t[13]), 'OK', " +
    `${resource}, JSONExtractString(rec, 'macAddress'), JSONExtractString(grp, 'rule'), _path ` +
    `FROM file(${sqlString(glob)}, 'RawBLOB') ARRAY JOIN JSONExtractArrayRaw(raw_blob, 'records') AS rec ${groups} ` +
    `ARRAY JOIN arrayMap(s -> splitByChar(',', s), ${tuples}) AS t SETTINGS use_hive_partitioning = 0`;
}

/** Every statement that loads one dataset, given the folder it was written to. */
export function engineLoadStatements(dataset: EngineDataset, root: string): string[] {
  if (dataset === 'aws') return [awsLoadSql(`${root}/**/*.log.gz`)];
  return [
    azureLoadSql(`${root}/insights-logs-networksecuritygroupflowevent/**/PT1H.json`, 'nsg'),
    azureLoadSql(`${root}/insights-logs-flowlogflowevent/**/PT1H.json`, 'vnet'),
  ];
}
