-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links. Go fills in the identifier keys and windows comments
-- (chstore/identity.go): for a few windows, one condition per window in
-- the inner query, read through the primary key; for many, the identifiers
-- in the inner query and the windows, as arrays, in the outer one, since
-- ClickHouse 18.16 takes time quadratic in the number of OR terms and
-- refuses a lambda over a column in a MergeTree table's own WHERE. Every
-- aggregate gives the same answer whether an event is stored once or many
-- times (a retry or replay not merged away yet): argMax, min, max and sets
-- ignore copies, and Events is uniqExact(event_id), never count(). Ties on
-- occurred_us go to the later recorded, then higher event id, so the name
-- does not depend on which part is read first.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT
    recipient_id,
    argMax(recipient_name, (occurred_us, recorded_us, event_id)) AS latest_name,
    recipient_category,
    recipient_country,
    transfer_mechanism,
    arraySort(groupUniqArray(kind)) AS kinds,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    arraySort(groupUniqArray(purpose)) AS purposes,
    arraySort(groupUniqArray(legal_basis)) AS legal_bases,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    uniqExact(event_id) AS event_count
FROM
(
    SELECT
        subject_id, occurred_us, recorded_us, event_id, kind, recipient_id, recipient_name,
        recipient_category, recipient_country, transfer_mechanism, data_categories, purpose, legal_basis
    FROM lineage_events
    WHERE ((subject_id = @subject_id AND occurred_us >= @from_us AND occurred_us < @to_us)
           /*identifier keys*/)
      AND restriction_review_us <= @visible_us
      AND kind IN ('transfer', 'processor_handoff')
)
/*identifier windows*/
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism
