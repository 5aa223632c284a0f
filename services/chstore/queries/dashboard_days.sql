-- The overview's series: events per day and source system in
-- [@from_day, @to_day), from the daily rollup, filters as in
-- dashboard_flows.sql. The day as text, YYYY-MM-DD.
SELECT toString(day) AS day_text, source_system, toUInt64(sum(events)) AS event_count
FROM lineage_daily
WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
  AND (@recipient_id = '' OR recipient_id = @recipient_id)
  AND (@source_system = '' OR source_system = @source_system)
GROUP BY day, source_system
HAVING sum(events) > 0
ORDER BY day_text, source_system
