-- Settles the flow rollup for the UTC days [@from_day, @to_day) (whose
-- microsecond bounds are [@from_us, @to_us)): the events of those days per
-- day and flow, each event once (LIMIT 1 BY the key its stored copies
-- share), less what lineage_daily holds for them, inserted where they
-- differ (migrations/0011).
INSERT INTO lineage_daily (day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS difference
FROM
(
    SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, kind, recipient_id,
        recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name,
        toInt64(count()) AS events
    FROM
    (
        SELECT subject_id, occurred_us, event_id, source_system, kind, recipient_id, recipient_category,
            recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name
        FROM lineage_events
        PREWHERE occurred_us >= @from_us AND occurred_us < @to_us
        LIMIT 1 BY subject_id, occurred_us, event_id
    )
    GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
    UNION ALL
    SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, -sum(events)
    FROM lineage_daily
    WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
    GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
)
GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name
HAVING difference != 0
