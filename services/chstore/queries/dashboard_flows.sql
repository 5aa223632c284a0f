-- The DPO's overview: the events of [@from_day, @to_day) per flow
-- (source system, kind, recipient with its category, country, mechanism
-- and latest name, legal basis, purpose), from the rollups
-- (migrations/0009, 0011): the monthly one for the whole months
-- [@from_month, @to_month) inside the window, the daily one for the days
-- before and after them (Go sets @from_month = @to_month = @to_day when
-- the window holds no whole month). Go adds the flows up into the
-- overview's breakdowns. An empty @recipient_id or @source_system leaves
-- that side open. The rollups are settled (0011): each event counts once,
-- as of the last settlement; a flow whose rows add up to nothing is left out.
SELECT
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose,
    argMax(recipient_name, day) AS latest_name,
    toUInt64(sum(events)) AS event_count
FROM
(
    SELECT month AS day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, events
    FROM lineage_monthly
    WHERE month >= toDate(@from_month) AND month < toDate(@to_month)
      AND (@recipient_id = '' OR recipient_id = @recipient_id)
      AND (@source_system = '' OR source_system = @source_system)
    UNION ALL
    SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, events
    FROM lineage_daily
    WHERE (day >= toDate(@from_day) AND day < toDate(@from_month) OR day >= toDate(@to_month) AND day < toDate(@to_day))
      AND (@recipient_id = '' OR recipient_id = @recipient_id)
      AND (@source_system = '' OR source_system = @source_system)
)
GROUP BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose
HAVING sum(events) > 0
ORDER BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose
