-- Every flow the events show, for the comparison with the declared record
-- of processing (GDPR Art. 30): one row per source system, purpose, legal
-- basis, recipient (empty for accesses), recipient category, country and
-- transfer mechanism, with its events and its first and last time.
-- Restricted events count: the DPO asks. It reads the whole table (about
-- 2 s for 12,000,000 rows on the bench box), so the API keeps the answer for
-- a while. Events are counted with uniq: exact up to 65,536 distinct ids per
-- flow, within about 1 % beyond, and copies of a retried event count once.
SELECT
    source_system, purpose, legal_basis, recipient_id, recipient_category,
    recipient_country, transfer_mechanism,
    uniq(event_id) AS events,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us
FROM lineage_events
GROUP BY source_system, purpose, legal_basis, recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY source_system, purpose, legal_basis, recipient_id, recipient_category, recipient_country, transfer_mechanism
