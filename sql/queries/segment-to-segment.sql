-- name: segment-to-segment
-- purpose: the conversations from one network segment to another (segments as the IPAM gives
--   them, e.g. dmz, app, data): which hosts, which ports, how much, and what the network refused
-- param: from_segment:String ; source segment (src_segment)
-- param: to_segment:String ; destination segment (dst_segment)
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 50 ; rows to return
SELECT
    replaceOne(toString(src_addr), '::ffff:', '') AS source,
    any(src_owner) AS source_owner,
    replaceOne(toString(dst_addr), '::ffff:', '') AS destination,
    any(dst_owner) AS destination_owner,
    dst_port AS port,
    protocol,
    count() AS flows,
    sum(bytes) AS bytes,
    countIf(action = 'REJECT') AS denied,
    max(start_time) AS last_seen
FROM flows
WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
  AND src_segment = {from_segment:String} AND dst_segment = {to_segment:String}
GROUP BY src_addr, dst_addr, dst_port, protocol
ORDER BY bytes DESC, flows DESC
LIMIT {limit:UInt32}
