-- Claims that let one of several `flowlog run` instances do a job: a
-- scheduled detector run or report for one tick, the polling of one S3
-- prefix for one term. A claim is an insert whose insert_deduplication_token
-- names the lease and the term: the engine keeps the first insert and drops
-- every later one for the same term, whoever sent it, so all instances read
-- back the same holder (services/run/lease.ts). Rows are small and age out.
CREATE TABLE IF NOT EXISTS leases
(
    name        String,
    term        String,
    holder      String,
    claimed_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (name, term)
TTL toDateTime(claimed_at) + INTERVAL 7 DAY
SETTINGS non_replicated_deduplication_window = 10000;
