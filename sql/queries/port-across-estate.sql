-- name: port-across-estate
-- purpose: every destination that received flows on one port across the estate (who exposes
--   SSH, RDP, a database port), with its owner, its clients and what was refused
-- param: port:UInt16 ; destination port
-- param: protocol:UInt8 = 6 ; IANA protocol number (6 tcp, 17 udp)
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 50 ; rows to return
SELECT
    replaceOne(toString(dst_addr), '::ffff:', '') AS destination,
    any(dst_owner) AS owner,
    any(dst_service) AS service,
    any(dst_segment) AS segment,
    any(dst_class) AS class,
    count() AS flows,
    countIf(action = 'ACCEPT') AS accepted,
    countIf(action = 'REJECT') AS denied,
    uniqExact(src_addr) AS clients,
    uniqExactIf(src_addr, src_class = 'public' AND ifNull(src_is_internal, 0) = 0) AS internet_clients,
    sum(bytes) AS bytes,
    max(start_time) AS last_seen
FROM flows
WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
  AND dst_port = {port:UInt16} AND protocol = {protocol:UInt8}
GROUP BY dst_addr
ORDER BY flows DESC
LIMIT {limit:UInt32}
