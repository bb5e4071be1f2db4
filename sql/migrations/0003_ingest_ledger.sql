-- Which part of which source object went into which batch. An object is
-- skipped on a re-run once a row with complete = 1 exists for the same
-- identity (path or key, plus size and ETag/mtime).
CREATE TABLE IF NOT EXISTS ingest_ledger
(
    source_kind    LowCardinality(String) COMMENT 'local | s3 | kafka',
    object         String COMMENT 'file path, bucket/key, or topic/partition',
    identity       String COMMENT 'size and ETag or mtime: a changed object is a new object',
    batch_id       String COMMENT 'the insert_deduplication_token of the batch',
    first_position UInt64 COMMENT 'first line/tuple/offset in this batch',
    last_position  UInt64 COMMENT 'last line/tuple/offset in this batch',
    rows           UInt64,
    rejected       UInt64,
    complete       UInt8 COMMENT '1 when this batch finished the object',
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (source_kind, object, first_position)
SETTINGS non_replicated_deduplication_window = 10000;
