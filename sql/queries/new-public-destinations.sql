-- name: new-public-destinations
-- purpose: public destinations each owner sent traffic to since day_start that none of its
--   workloads reached in the baseline days before (exfiltration, new SaaS, a compromised host calling out)
-- param: day_start:DateTime64(3, 'UTC') = now() - INTERVAL 1 DAY ; start of the window to look for new destinations in
-- param: until:DateTime64(3, 'UTC') = now() ; end of that window (exclusive)
-- param: baseline_days:UInt32 = 7 ; days before day_start that define "seen before"
-- param: owner:String = '' ; one owner, or '' for all
-- param: limit:UInt32 = 50 ; rows to return
SELECT
    src_owner AS owner,
    replaceOne(toString(dst_addr), '::ffff:', '') AS destination,
    any(dst_service) AS service,
    count() AS flows,
    sum(bytes) AS bytes,
    uniqExact(src_addr) AS workloads,
    min(start_time) AS first_seen
FROM flows
WHERE toStartOfHour(start_time) >= toStartOfHour({day_start:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {day_start:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}
  AND egress = 1 AND src_owner IS NOT NULL
  AND ({owner:String} = '' OR src_owner = {owner:String})
  AND (src_owner, dst_addr) NOT IN
  (
      SELECT src_owner, dst_addr
      FROM flows
      WHERE toStartOfHour(start_time) >= toStartOfHour({day_start:DateTime64(3, 'UTC')} - toIntervalDay({baseline_days:UInt32})) AND toStartOfHour(start_time) <= toStartOfHour({day_start:DateTime64(3, 'UTC')})
        AND start_time >= {day_start:DateTime64(3, 'UTC')} - toIntervalDay({baseline_days:UInt32}) AND start_time < {day_start:DateTime64(3, 'UTC')}
        AND egress = 1 AND src_owner IS NOT NULL
        AND ({owner:String} = '' OR src_owner = {owner:String})
  )
GROUP BY src_owner, dst_addr
ORDER BY bytes DESC
LIMIT {limit:UInt32}
