-- Settles the category rollup for the days of settle_flows.sql: each
-- event once under each of its categories, less what
-- lineage_daily_categories holds, inserted where they differ.
INSERT INTO lineage_daily_categories (day, source_system, recipient_id, category, events)
SELECT day, source_system, recipient_id, category, sum(events) AS difference
FROM
(
    SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id, category,
        toInt64(count()) AS events
    FROM
    (
        SELECT subject_id, occurred_us, event_id, source_system, recipient_id, data_categories
        FROM lineage_events
        PREWHERE occurred_us >= @from_us AND occurred_us < @to_us
        LIMIT 1 BY subject_id, occurred_us, event_id
    )
    ARRAY JOIN data_categories AS category
    GROUP BY day, source_system, recipient_id, category
    UNION ALL
    SELECT day, source_system, recipient_id, category, -sum(events)
    FROM lineage_daily_categories
    WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
    GROUP BY day, source_system, recipient_id, category
)
GROUP BY day, source_system, recipient_id, category
HAVING difference != 0
