-- name: scanners
-- purpose: sources of denied flows, worst first: how many of their flows were refused, how many ports
--   and hosts the refused ones aimed at, and whether the source is ours (an internal scanner is a foothold)
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: min_denied:UInt32 = 5 ; leave out sources with fewer denied flows
-- param: limit:UInt32 = 20 ; rows to return
SELECT
    replaceOne(toString(src_addr), '::ffff:', '') AS source,
    any(src_owner) AS owner,
    any(src_class) AS class,
    max(ifNull(src_is_internal, 0)) AS internal,
    countIf(action = 'REJECT') AS denied,
    count() AS flows,
    uniqExactIf(dst_port, action = 'REJECT') AS denied_ports,
    uniqExactIf(dst_addr, action = 'REJECT') AS denied_hosts,
    topKIf(5)(dst_port, action = 'REJECT') AS top_ports,
    min(start_time) AS first_seen,
    max(start_time) AS last_seen
FROM flows
WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
  AND src_addr IS NOT NULL
GROUP BY src_addr
HAVING denied >= {min_denied:UInt32}
ORDER BY denied DESC, denied_ports DESC
LIMIT {limit:UInt32}
