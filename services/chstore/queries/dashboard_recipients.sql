-- The first and last disclosure to each recipient in [@from_us, @to_us),
-- to the microsecond (the rollup knows days only): the disclosures table
-- within the window's years, filters as in dashboard_flows.sql.
SELECT recipient_id, min(occurred_us) AS first_us, max(occurred_us) AS last_us
FROM lineage_disclosures
WHERE occurred_us >= @from_us AND occurred_us < @to_us
  AND (@recipient_id = '' OR recipient_id = @recipient_id)
  AND (@source_system = '' OR source_system = @source_system)
GROUP BY recipient_id
