-- The disclosures again, ordered by recipient: after a breach at a
-- recipient the DPO asks which subjects it received data of, and
-- lineage_events, ordered by subject, would have to be read whole for that
-- (0.5-1 s per 10,000,000 events, growing with the years kept). Here a
-- recipient's rows are one key range.
--
-- Only the columns that question needs, and only transfers and processor
-- hand-offs (about four events in ten). A materialized view fills it from
-- every insert into lineage_events, so the materializer writes one table
-- and a rebuild of lineage_events rebuilds this one too (queries/rebuild.sql).
-- Copies of a retried event share the key and collapse on merge; until then
-- every query counts an event id once, as on lineage_events.
--
-- subject_id is what lineage_events holds: a customer id, or "kind:hmac"
-- for an event stored under an identifier, resolved when read.
CREATE TABLE IF NOT EXISTS lineage_disclosures
(
    recipient_id          String,
    subject_id            String,
    occurred_us           Int64,
    event_id              String,
    kind                  String,
    source_system         String,
    recipient_name        String,
    data_categories       Array(String),
    restriction_review_us Int64
)
ENGINE = ReplacingMergeTree
PARTITION BY toYear(toDateTime(intDiv(occurred_us, 1000000), 'UTC'))
ORDER BY (recipient_id, subject_id, occurred_us, event_id)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_disclosures_feed
TO lineage_disclosures
AS SELECT recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us
FROM lineage_events
WHERE kind IN ('transfer', 'processor_handoff');

-- The disclosures stored before this migration. One inserted while it runs
-- may be copied twice, which every query already tolerates.
INSERT INTO lineage_disclosures (recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us)
SELECT recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us
FROM lineage_events
WHERE kind IN ('transfer', 'processor_handoff');
