-- The overview's data categories: events per category in
-- [@from_day, @to_day) (an event once under each of its categories), from
-- the category rollup, filters as in dashboard_flows.sql.
SELECT category, toUInt64(sum(events)) AS event_count
FROM lineage_daily_categories
WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
  AND (@recipient_id = '' OR recipient_id = @recipient_id)
  AND (@source_system = '' OR source_system = @source_system)
GROUP BY category
HAVING sum(events) > 0
ORDER BY event_count DESC, category
