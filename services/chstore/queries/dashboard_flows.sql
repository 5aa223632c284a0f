-- The DPO's overview: the stored events of [@from_day, @to_day) per flow
-- (source system, kind, recipient with its category, country, mechanism
-- and latest name, legal basis, purpose), from the daily rollup
-- (migrations/0009). Go adds them up into the overview's breakdowns.
-- An empty @recipient_id or @source_system leaves that side open. Counts
-- are stored rows: a retried copy counts again (see 0009).
SELECT
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose,
    argMax(recipient_name, day) AS latest_name,
    sum(events) AS event_count
FROM lineage_daily
WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
  AND (@recipient_id = '' OR recipient_id = @recipient_id)
  AND (@source_system = '' OR source_system = @source_system)
GROUP BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose
ORDER BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose
