-- name: segmentation-violations
-- purpose: what the segmentation policy flagged, by segment pair and rule: breaches (the network
--   accepted them) first, then attempts (refused), with sources, destinations and ports
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 24 HOUR ; start of the window (UTC)
-- param: until:DateTime64(3, 'UTC') = now() ; end of the window (exclusive)
-- param: include_observe:UInt8 = 1 ; 0 leaves out decisions of a policy running in observe mode
SELECT
    src_segment,
    dst_segment,
    kind,
    rule,
    decision,
    count() AS flows,
    sum(bytes) AS bytes,
    uniqExact(src_addr) AS sources,
    uniqExact(dst_addr) AS destinations,
    arraySort(groupUniqArray(5)(dst_port)) AS ports,
    min(time) AS first_seen,
    max(time) AS last_seen,
    max(observe) AS observe_mode
FROM policy_violations
WHERE time >= {since:DateTime64(3, 'UTC')} AND time < {until:DateTime64(3, 'UTC')}
  AND (observe = 0 OR {include_observe:UInt8} = 1)
GROUP BY src_segment, dst_segment, kind, rule, decision
ORDER BY kind = 'breach' DESC, flows DESC
