-- Rebuilding the projection from the Kafka log without downtime: the
-- statements before the swap line run before the replay starts, the rest
-- when it has caught up. Readers keep reading lineage_events throughout;
-- RENAME of several tables in one statement is done under one lock, so a
-- reader sees either the old tables or the rebuilt ones, never none. The
-- old tables stay as *_previous until the next rebuild, for comparison or
-- rollback.
--
-- lineage_disclosures is derived from lineage_events by a materialized
-- view, so the replay's inserts fill its rebuilt copy through a second
-- view. After the RENAME both views are replaced by one on the new tables:
-- ClickHouse 18.16 binds a view to table names and current releases to the
-- tables themselves, and dropping both serves either. Rows inserted between
-- the DROP and the CREATE are copied by the last statement, from the
-- minutes before; rows copied twice are counted once by every query.
DROP TABLE IF EXISTS lineage_disclosures_rebuild_feed;
DROP TABLE IF EXISTS lineage_events_rebuild;
DROP TABLE IF EXISTS lineage_disclosures_rebuild;
CREATE TABLE lineage_events_rebuild AS lineage_events;
CREATE TABLE lineage_disclosures_rebuild AS lineage_disclosures;
CREATE MATERIALIZED VIEW lineage_disclosures_rebuild_feed
TO lineage_disclosures_rebuild
AS SELECT recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us
FROM lineage_events_rebuild
WHERE kind IN ('transfer', 'processor_handoff');
-- swap
DROP TABLE IF EXISTS lineage_events_previous;
DROP TABLE IF EXISTS lineage_disclosures_previous;
RENAME TABLE lineage_events TO lineage_events_previous, lineage_events_rebuild TO lineage_events,
    lineage_disclosures TO lineage_disclosures_previous, lineage_disclosures_rebuild TO lineage_disclosures;
DROP TABLE IF EXISTS lineage_disclosures_feed;
DROP TABLE IF EXISTS lineage_disclosures_rebuild_feed;
CREATE MATERIALIZED VIEW lineage_disclosures_feed
TO lineage_disclosures
AS SELECT recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us
FROM lineage_events
WHERE kind IN ('transfer', 'processor_handoff');
INSERT INTO lineage_disclosures (recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us)
SELECT recipient_id, subject_id, occurred_us, event_id, kind, source_system, recipient_name, data_categories, restriction_review_us
FROM lineage_events
WHERE kind IN ('transfer', 'processor_handoff') AND ingested_at >= now() - 600;

-- The overview's rollups (migrations/0011) are settled from lineage_events,
-- so after the swap every day is settled again against the rebuilt table.
-- The view that tells which days changed is bound to the table it was
-- created on (18.16 by name, current releases by table): it is created
-- again on the swapped one. The rebuilt table's days are added to its
-- counts, so that a day only the rebuilt table has is known; then every
-- day is marked as settled with a count no day has, under a run (in
-- nanoseconds, see settle.go) a second ahead of the clock, which outranks
-- a settlement that began before the swap.
DROP TABLE IF EXISTS lineage_day_rows_feed;
CREATE MATERIALIZED VIEW lineage_day_rows_feed
TO lineage_day_rows
AS SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, count() AS stored
FROM lineage_events
GROUP BY day;
INSERT INTO lineage_day_rows (day, stored)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, count()
FROM lineage_events
GROUP BY day;
INSERT INTO lineage_settled_days (day, stored, run)
SELECT day, toUInt64(18446744073709551615), (toUInt64(toUnixTimestamp(now())) + 1) * 1000000000
FROM lineage_day_rows
GROUP BY day;
