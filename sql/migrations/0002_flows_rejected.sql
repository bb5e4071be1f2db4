-- The quarantine: every record flowlog could not parse, with where it came from
-- (object and line or tuple path), a stable reason code and the raw text.
CREATE TABLE IF NOT EXISTS flows_rejected
(
    rejected_at DateTime64(3, 'UTC') DEFAULT now64(3),
    source      String COMMENT 'object the record came from',
    position    String COMMENT 'line number, or tuple path for Azure JSON',
    reason      LowCardinality(String) COMMENT 'stable reason code (FIELD_COUNT, BAD_ADDR, ...)',
    detail      String COMMENT 'what exactly was wrong',
    raw         String COMMENT 'the record as received (cut at 4 KiB)' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toDate(rejected_at)
ORDER BY (reason, source, rejected_at)
TTL toDateTime(rejected_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;
