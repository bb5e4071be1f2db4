-- Hourly egress (internal source to a public destination) by owner, service,
-- subnet and workload address: what the egress detectors compare against
-- their baselines, weeks at a time, without reading raw flows. Fed by a
-- materialized view from the enrichment columns, so flows stored before
-- enrichment existed are not in it.
CREATE TABLE IF NOT EXISTS egress_1h
(
    hour        DateTime('UTC'),
    owner       LowCardinality(String),
    service     LowCardinality(String),
    subnet      LowCardinality(String),
    src_addr    IPv6,
    bytes       UInt64,
    packets     UInt64,
    flows       UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, owner, service, subnet, src_addr)
-- a replayed block must not count twice here either
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS egress_1h_mv TO egress_1h AS
SELECT
    toStartOfHour(start_time) AS hour,
    ifNull(src_owner, '') AS owner,
    ifNull(src_service, '') AS service,
    ifNull(src_subnet, '') AS subnet,
    assumeNotNull(src_addr) AS src_addr,
    sum(ifNull(bytes, 0)) AS bytes,
    sum(ifNull(packets, 0)) AS packets,
    count() AS flows
FROM flows
WHERE egress = 1 AND src_addr IS NOT NULL
GROUP BY hour, owner, service, subnet, src_addr;
