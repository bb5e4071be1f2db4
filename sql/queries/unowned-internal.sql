-- name: unowned-internal
-- purpose: addresses of ours (internal) that appear in flows but no IPAM entry, inventory tag or
--   ownership rule gives an owner: the gaps to close before the next incident needs a name
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 24 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 100 ; rows to return
--
-- owner as enriched at ingest; flows stored before enrichment existed have no is_internal and are left out
SELECT
    replaceOne(toString(address), '::ffff:', '') AS address,
    any(vpc) AS vpc,
    any(subnet) AS subnet,
    any(class) AS class,
    count() AS flows,
    uniqExact(peer) AS peers,
    arrayMap(p -> replaceOne(toString(p), '::ffff:', ''), groupUniqArray(3)(peer)) AS some_peers,
    min(start_time) AS first_seen,
    max(start_time) AS last_seen
FROM
(
    SELECT src_addr AS address, src_vpc AS vpc, src_subnet AS subnet, src_class AS class, dst_addr AS peer, start_time
    FROM flows
    WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
      AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
      AND src_is_internal = 1 AND ifNull(src_owner, '') = '' AND src_addr IS NOT NULL
    UNION ALL
    SELECT dst_addr, dst_vpc, dst_subnet, dst_class, src_addr, start_time
    FROM flows
    WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
      AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
      AND dst_is_internal = 1 AND ifNull(dst_owner, '') = '' AND dst_addr IS NOT NULL
)
GROUP BY address
ORDER BY flows DESC
LIMIT {limit:UInt32}
