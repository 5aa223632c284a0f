-- Settles the monthly rollup for the months [@from_month, @to_month) from
-- the settled daily one: lineage_daily's flows by month less what
-- lineage_monthly holds, inserted where they differ (migrations/0011).
INSERT INTO lineage_monthly (month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS difference
FROM
(
    SELECT toStartOfMonth(day) AS month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS events
    FROM lineage_daily
    WHERE day >= toDate(@from_month) AND day < toDate(@to_month)
    GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
    UNION ALL
    SELECT month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, -sum(events)
    FROM lineage_monthly
    WHERE month >= toDate(@from_month) AND month < toDate(@to_month)
    GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
)
GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name
HAVING difference != 0
