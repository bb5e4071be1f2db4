-- Write-ahead intents: before a Kafka batch's first insert, its exact offset
-- range is recorded with state 'intent'. After a crash the range is replayed
-- exactly (same batches, same dedup tokens, so the engine drops what it
-- already stored) instead of whatever the next fetch happens to return.
ALTER TABLE ingest_ledger ADD COLUMN IF NOT EXISTS state LowCardinality(String) DEFAULT 'stored' COMMENT 'stored | intent';
