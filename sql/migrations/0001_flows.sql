-- The canonical flow table. Columns are generated from schemas/flow.ts (the
-- drift test fails when they disagree): edit the schema, then this file.
--
-- ORDER BY: security and SRE questions are "what did address X do in window W";
-- the hour bucket first keeps time-range scans narrow, then src/dst address make
-- an address lookup inside each hour a primary-key range, not a scan. Lookups by
-- destination and interface use the skip indexes below.
-- Daily partitions so retention drops whole parts. No TTL by default: a TTL
-- would silently drop a backfill of old logs; set FLOWLOG_RETENTION_DAYS (or
-- ALTER TABLE flows MODIFY TTL ...) to age data out.
-- non_replicated_deduplication_window: every insert carries an
-- insert_deduplication_token derived from its source position, so a batch
-- replayed after a crash is dropped by the engine instead of stored twice.
CREATE TABLE IF NOT EXISTS flows
(
    provider                   LowCardinality(String) COMMENT 'aws | azure',
    log_type                   LowCardinality(String) COMMENT 'vpc | tgw | nsg | vnet',
    version                    Nullable(UInt8) COMMENT 'flow log format version (AWS version field, Azure NSG Version / VNet flowLogVersion)',
    start_time                 DateTime64(3, 'UTC') COMMENT 'start of the capture window (UTC); Azure: the tuple timestamp' CODEC(Delta, ZSTD(1)),
    end_time                   DateTime64(3, 'UTC') COMMENT 'end of the capture window (UTC); Azure: the tuple timestamp' CODEC(Delta, ZSTD(1)),
    account_id                 LowCardinality(Nullable(String)) COMMENT 'AWS account id of the interface owner; Azure subscription id',
    interface_id               Nullable(String) COMMENT 'ENI id (AWS)' CODEC(ZSTD(1)),
    src_addr                   Nullable(IPv6) COMMENT 'source address (IPv4 stored IPv4-mapped)' CODEC(ZSTD(1)),
    dst_addr                   Nullable(IPv6) COMMENT 'destination address' CODEC(ZSTD(1)),
    src_port                   Nullable(UInt16) COMMENT 'source port',
    dst_port                   Nullable(UInt16) COMMENT 'destination port',
    protocol                   Nullable(UInt8) COMMENT 'IANA protocol number',
    packets                    Nullable(UInt64) COMMENT 'packets (Azure: source to destination)' CODEC(T64, ZSTD(1)),
    bytes                      Nullable(UInt64) COMMENT 'bytes (Azure: source to destination)' CODEC(T64, ZSTD(1)),
    action                     LowCardinality(Nullable(String)) COMMENT 'ACCEPT | REJECT',
    log_status                 LowCardinality(Nullable(String)) COMMENT 'OK | NODATA | SKIPDATA',
    vpc_id                     LowCardinality(Nullable(String)) COMMENT 'VPC id',
    subnet_id                  LowCardinality(Nullable(String)) COMMENT 'subnet id',
    instance_id                Nullable(String) COMMENT 'EC2 instance id' CODEC(ZSTD(1)),
    tcp_flags                  Nullable(UInt16) COMMENT 'OR of TCP flags seen in the window (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32)',
    traffic_type               LowCardinality(Nullable(String)) COMMENT 'AWS `type`: IPv4 | IPv6 | EFA',
    pkt_src_addr               Nullable(IPv6) COMMENT 'packet-level source address' CODEC(ZSTD(1)),
    pkt_dst_addr               Nullable(IPv6) COMMENT 'packet-level destination address' CODEC(ZSTD(1)),
    region                     LowCardinality(Nullable(String)) COMMENT 'AWS region',
    az_id                      LowCardinality(Nullable(String)) COMMENT 'availability zone id',
    sublocation_type           LowCardinality(Nullable(String)) COMMENT 'wavelength | outpost | localzone',
    sublocation_id             LowCardinality(Nullable(String)) COMMENT 'sublocation id',
    pkt_src_aws_service        LowCardinality(Nullable(String)) COMMENT 'AWS service of pkt-srcaddr',
    pkt_dst_aws_service        LowCardinality(Nullable(String)) COMMENT 'AWS service of pkt-dstaddr',
    flow_direction             LowCardinality(Nullable(String)) COMMENT 'ingress | egress',
    traffic_path               Nullable(UInt8) COMMENT 'egress path (1-8, AWS traffic-path)',
    ecs_cluster_arn            LowCardinality(Nullable(String)) COMMENT 'ECS cluster ARN',
    ecs_cluster_name           LowCardinality(Nullable(String)) COMMENT 'ECS cluster name',
    ecs_container_instance_arn Nullable(String) COMMENT 'ECS container instance ARN' CODEC(ZSTD(1)),
    ecs_container_instance_id  Nullable(String) COMMENT 'ECS container instance id' CODEC(ZSTD(1)),
    ecs_container_id           Nullable(String) COMMENT 'Docker id of the first container of the task' CODEC(ZSTD(1)),
    ecs_second_container_id    Nullable(String) COMMENT 'Docker id of the second container' CODEC(ZSTD(1)),
    ecs_service_name           LowCardinality(Nullable(String)) COMMENT 'ECS service name',
    ecs_task_definition_arn    Nullable(String) COMMENT 'ECS task definition ARN' CODEC(ZSTD(1)),
    ecs_task_arn               Nullable(String) COMMENT 'ECS task ARN' CODEC(ZSTD(1)),
    ecs_task_id                Nullable(String) COMMENT 'ECS task id' CODEC(ZSTD(1)),
    reject_reason              LowCardinality(Nullable(String)) COMMENT 'why the traffic was rejected (e.g. BPA)',
    resource_id                Nullable(String) COMMENT 'AWS resource-id (e.g. regional NAT gateway); Azure NSG resourceId / VNet targetResourceID' CODEC(ZSTD(1)),
    encryption_status          Nullable(UInt8) COMMENT 'AWS encryption-status',
    resource_type              LowCardinality(Nullable(String)) COMMENT 'TGW: resource type (TransitGateway)',
    tgw_id                     LowCardinality(Nullable(String)) COMMENT 'transit gateway id',
    tgw_attachment_id          LowCardinality(Nullable(String)) COMMENT 'TGW attachment id',
    tgw_src_vpc_account_id     LowCardinality(Nullable(String)) COMMENT 'TGW source VPC account',
    tgw_dst_vpc_account_id     LowCardinality(Nullable(String)) COMMENT 'TGW destination VPC account',
    tgw_src_vpc_id             LowCardinality(Nullable(String)) COMMENT 'TGW source VPC',
    tgw_dst_vpc_id             LowCardinality(Nullable(String)) COMMENT 'TGW destination VPC',
    tgw_src_subnet_id          LowCardinality(Nullable(String)) COMMENT 'TGW source subnet',
    tgw_dst_subnet_id          LowCardinality(Nullable(String)) COMMENT 'TGW destination subnet',
    tgw_src_eni                Nullable(String) COMMENT 'TGW source ENI' CODEC(ZSTD(1)),
    tgw_dst_eni                Nullable(String) COMMENT 'TGW destination ENI' CODEC(ZSTD(1)),
    tgw_src_az_id              LowCardinality(Nullable(String)) COMMENT 'TGW source AZ',
    tgw_dst_az_id              LowCardinality(Nullable(String)) COMMENT 'TGW destination AZ',
    tgw_pair_attachment_id     LowCardinality(Nullable(String)) COMMENT 'TGW pair attachment',
    packets_lost_no_route      Nullable(UInt64) COMMENT 'TGW packets lost: no route' CODEC(T64, ZSTD(1)),
    packets_lost_blackhole     Nullable(UInt64) COMMENT 'TGW packets lost: blackhole route' CODEC(T64, ZSTD(1)),
    packets_lost_mtu_exceeded  Nullable(UInt64) COMMENT 'TGW packets lost: MTU exceeded' CODEC(T64, ZSTD(1)),
    packets_lost_ttl_expired   Nullable(UInt64) COMMENT 'TGW packets lost: TTL expired' CODEC(T64, ZSTD(1)),
    mac                        Nullable(String) COMMENT 'Azure interface MAC (as logged)' CODEC(ZSTD(1)),
    rule                       LowCardinality(Nullable(String)) COMMENT 'Azure NSG rule / VNet flow group rule',
    flow_state                 LowCardinality(Nullable(String)) COMMENT 'Azure flow state B | C | E | D',
    encryption                 LowCardinality(Nullable(String)) COMMENT 'Azure VNet encryption (X | NX | ...)',
    reverse_packets            Nullable(UInt64) COMMENT 'Azure: destination to source packets' CODEC(T64, ZSTD(1)),
    reverse_bytes              Nullable(UInt64) COMMENT 'Azure: destination to source bytes' CODEC(T64, ZSTD(1)),
    source                     LowCardinality(String) COMMENT 'object the record came from (S3 key, blob path or file)',
    INDEX dst_addr_bf dst_addr TYPE bloom_filter(0.01) GRANULARITY 2,
    INDEX interface_bf interface_id TYPE bloom_filter(0.01) GRANULARITY 2,
    INDEX account_set account_id TYPE set(256) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(start_time)
ORDER BY (toStartOfHour(start_time), src_addr, dst_addr, start_time)
SETTINGS allow_nullable_key = 1, non_replicated_deduplication_window = 10000, index_granularity = 8192;
