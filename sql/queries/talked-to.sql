-- name: talked-to
-- purpose: every peer of an address or CIDR in a window, in both directions: who it talked to
--   (outbound) and who talked to it (inbound), with the peers' owners, ports and denials
-- param: addr:String ; an address (10.0.1.10, 2001:db8::1) or a CIDR (10.0.0.0/16, 2001:db8::/48)
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 50 ; rows to return
--
-- The address becomes an IPv6 range (IPv4 mapped, so a /16 is a /112), and each side is its own
-- branch: the source side is a primary-key range inside each hour; the destination side (not in
-- the key) reads the window's hours.
WITH
    splitByChar('/', {addr:String}) AS parts,
    toUInt8(if(length(parts) = 2, toUInt8(parts[2]) + if(isIPv4String(parts[1]), 96, 0), 128)) AS bits,
    IPv6CIDRToRange(toIPv6(parts[1]), bits) AS r
SELECT
    direction,
    replaceOne(toString(peer), '::ffff:', '') AS peer,
    any(peer_owner) AS owner,
    any(peer_service) AS service,
    any(peer_class) AS class,
    count() AS flows,
    sum(bytes) AS bytes,
    countIf(action = 'REJECT') AS denied,
    arraySort(groupUniqArray(5)(dst_port)) AS ports,
    min(start_time) AS first_seen,
    max(start_time) AS last_seen
FROM
(
    SELECT 'outbound' AS direction, dst_addr AS peer, dst_owner AS peer_owner, dst_service AS peer_service, dst_class AS peer_class,
           bytes, action, dst_port, start_time
    FROM flows
    WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
      AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
      AND src_addr >= r.1 AND src_addr <= r.2
    UNION ALL
    SELECT 'inbound', src_addr, src_owner, src_service, src_class, bytes, action, dst_port, start_time
    FROM flows
    WHERE toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
      AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
      AND dst_addr >= r.1 AND dst_addr <= r.2
      -- a flow inside the range is already counted as outbound
      AND NOT ifNull(src_addr >= r.1 AND src_addr <= r.2, false)
)
GROUP BY direction, peer
ORDER BY bytes DESC, flows DESC
LIMIT {limit:UInt32}
