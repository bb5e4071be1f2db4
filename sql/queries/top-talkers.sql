-- name: top-talkers
-- purpose: the addresses that sent the most bytes in a window, who they are (owner, service,
--   segment, class as enriched at ingest), how many peers they reached and how much of it was denied
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 20 ; rows to return
--
-- bytes are what the address sent as the flow's source (Azure's reverse counters are the peer's)
SELECT
    replaceOne(toString(src_addr), '::ffff:', '') AS address,
    any(src_owner) AS owner,
    any(src_service) AS service,
    any(src_segment) AS segment,
    any(src_class) AS class,
    count() AS flows,
    sum(bytes) AS bytes_sent,
    uniqExact(dst_addr) AS peers,
    countIf(action = 'REJECT') AS denied
FROM flows
WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
  AND src_addr IS NOT NULL
GROUP BY src_addr
ORDER BY bytes_sent DESC, flows DESC
LIMIT {limit:UInt32}
