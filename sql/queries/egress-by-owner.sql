-- name: egress-by-owner
-- purpose: bytes each owner sent to the internet (internal source, public destination that is not
--   ours), in whole hours from the egress_1h rollup, with the workloads and services behind it
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 24 HOUR ; start of the window, rounded down to the hour
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 20 ; rows to return
--
-- the rollup, not raw flows: a month of egress by owner reads a few thousand rows
SELECT
    if(owner = '', '(unowned)', owner) AS owner,
    sum(bytes) AS bytes,
    sum(flows) AS flows,
    uniqExact(src_addr) AS workloads,
    arrayFilter(s -> s != '', groupUniqArray(5)(service)) AS services,
    min(hour) AS first_hour,
    max(hour) AS last_hour
FROM egress_1h
WHERE hour >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND hour < {until:DateTime64(3, 'UTC')}
GROUP BY owner
ORDER BY bytes DESC
LIMIT {limit:UInt32}
