-- name: open-anomalies
-- purpose: the open detector findings by severity and owner, worst first: how many, from which
--   detectors, the strongest one's summary and when the group was last seen
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 7 DAY ; findings last seen at or after this
-- param: owner:String = '*' ; one owner, '' for the findings nobody owns, '*' for all
SELECT
    severity,
    owner,
    count() AS findings,
    arraySort(groupUniqArray(detector)) AS detectors,
    argMax(summary, score) AS strongest,
    max(last_seen) AS latest
FROM anomalies_current
WHERE status = 'open' AND last_seen >= {since:DateTime64(3, 'UTC')}
  AND ({owner:String} = '*' OR owner = {owner:String})
GROUP BY severity, owner
ORDER BY indexOf(['critical', 'high', 'medium', 'low', 'info'], severity), findings DESC
