-- The authorities' requests for retained data that could not be met, by
-- when they were received, in [from, to): per authority, each fact id
-- once (copies of a retried fact share it).
SELECT
    recipient_id,
    uniqExact(fact_id) AS unmet
FROM subject_facts
WHERE fact_type = @unmet
  AND at_us >= @from_us AND at_us < @to_us
GROUP BY recipient_id
ORDER BY recipient_id
