-- Per-minute rollup by account / VPC / direction / action, fed by a
-- materialized view; detectors and dashboards read this instead of raw flows.
-- Sums merge in the background: always query with sum() ... GROUP BY.
CREATE TABLE IF NOT EXISTS flows_1m
(
    minute          DateTime('UTC'),
    provider        LowCardinality(String),
    log_type        LowCardinality(String),
    account_id      LowCardinality(String),
    vpc_id          LowCardinality(String),
    flow_direction  LowCardinality(String),
    action          LowCardinality(String),
    flows           UInt64,
    packets         UInt64,
    bytes           UInt64,
    reverse_packets UInt64,
    reverse_bytes   UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(minute)
ORDER BY (minute, account_id, vpc_id, flow_direction, action, provider, log_type)
-- the rollup must drop a replayed block too, or a retried batch would count twice here
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS flows_1m_mv TO flows_1m AS
SELECT
    toStartOfMinute(start_time) AS minute,
    provider,
    log_type,
    ifNull(account_id, '') AS account_id,
    ifNull(vpc_id, '') AS vpc_id,
    ifNull(flow_direction, '') AS flow_direction,
    ifNull(action, '') AS action,
    count() AS flows,
    sum(ifNull(packets, 0)) AS packets,
    sum(ifNull(bytes, 0)) AS bytes,
    sum(ifNull(reverse_packets, 0)) AS reverse_packets,
    sum(ifNull(reverse_bytes, 0)) AS reverse_bytes
FROM flows
GROUP BY minute, provider, log_type, account_id, vpc_id, flow_direction, action;
