-- name: volume-by-vpc
-- purpose: flows, bytes and denials per account and VPC (VNet) from the per-minute rollup, with each
--   one's busiest minute: where the traffic is, and which network suddenly got loud
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 24 HOUR ; start of the window, rounded down to the minute
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: limit:UInt32 = 30 ; rows to return
--
-- flows_1m is a SummingMergeTree: sum per minute first, then take the peak of those sums
SELECT
    account_id,
    vpc_id,
    sum(f) AS flows,
    sum(b) AS bytes,
    sum(d) AS denied,
    max(f) AS peak_flows_per_minute,
    argMax(minute, f) AS peak_minute
FROM
(
    SELECT minute, account_id, vpc_id, sum(flows) AS f, sum(bytes) AS b, sumIf(flows, action = 'REJECT') AS d
    FROM flows_1m
    WHERE minute >= toStartOfMinute({since:DateTime64(3, 'UTC')}) AND minute < {until:DateTime64(3, 'UTC')}
    GROUP BY minute, account_id, vpc_id
)
GROUP BY account_id, vpc_id
ORDER BY bytes DESC
LIMIT {limit:UInt32}
