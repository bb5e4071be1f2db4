-- Where a polling source stands: for an S3 prefix in the date-partitioned
-- AWS layout, the key date up to which every listed object is stored. The
-- next round lists only the day prefixes from a lookback before it, instead
-- of every day since the source's `from`. One row per source name and
-- cursor update; the newest wins.
CREATE TABLE IF NOT EXISTS source_cursors
(
    source      String,
    cursor      DateTime64(3, 'UTC'),
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY source;
