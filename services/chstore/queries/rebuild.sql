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

-- The daily rollups (migration 0009) count rows as they are inserted, so
-- they cannot be swapped like the disclosures, whose copies every query
-- counts once: a row fed twice would count twice. They are rebuilt from
-- the swapped lineage_events instead, into *_next tables, up to a cut
-- written down first (lineage_daily_cut); then the views are replaced,
-- the tables renamed, and the rows ingested from the cut until the new
-- views existed (to the second, as the migration's copy) are added.
-- Readers see the old rollups until the RENAME.
DROP TABLE IF EXISTS lineage_daily_cut;
DROP TABLE IF EXISTS lineage_daily_next;
DROP TABLE IF EXISTS lineage_daily_categories_next;
DROP TABLE IF EXISTS lineage_daily_subjects_next;
CREATE TABLE lineage_daily_cut ENGINE = TinyLog AS SELECT now() AS cut;
CREATE TABLE lineage_daily_next AS lineage_daily;
CREATE TABLE lineage_daily_categories_next AS lineage_daily_categories;
CREATE TABLE lineage_daily_subjects_next AS lineage_daily_subjects;
INSERT INTO lineage_daily_next (day, source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, toUInt64(1)
FROM lineage_events
WHERE ingested_at < (SELECT max(cut) FROM lineage_daily_cut);
INSERT INTO lineage_daily_categories_next (day, source_system, recipient_id, category, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, recipient_id, category, toUInt64(1)
FROM lineage_events
ARRAY JOIN data_categories AS category
WHERE ingested_at < (SELECT max(cut) FROM lineage_daily_cut);
INSERT INTO lineage_daily_subjects_next (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id, uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at < (SELECT max(cut) FROM lineage_daily_cut)
GROUP BY day, source_system, recipient_id;
INSERT INTO lineage_daily_subjects_next (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, '*', uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at < (SELECT max(cut) FROM lineage_daily_cut)
GROUP BY day, source_system;
DROP TABLE IF EXISTS lineage_daily_feed;
DROP TABLE IF EXISTS lineage_daily_categories_feed;
DROP TABLE IF EXISTS lineage_daily_subjects_feed;
DROP TABLE IF EXISTS lineage_daily_all_subjects_feed;
DROP TABLE IF EXISTS lineage_daily_previous;
DROP TABLE IF EXISTS lineage_daily_categories_previous;
DROP TABLE IF EXISTS lineage_daily_subjects_previous;
RENAME TABLE lineage_daily TO lineage_daily_previous, lineage_daily_next TO lineage_daily,
    lineage_daily_categories TO lineage_daily_categories_previous, lineage_daily_categories_next TO lineage_daily_categories,
    lineage_daily_subjects TO lineage_daily_subjects_previous, lineage_daily_subjects_next TO lineage_daily_subjects;
CREATE MATERIALIZED VIEW lineage_daily_feed
TO lineage_daily
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose, recipient_name,
    count() AS events
FROM lineage_events
GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
         legal_basis, purpose, recipient_name;
CREATE MATERIALIZED VIEW lineage_daily_categories_feed
TO lineage_daily_categories
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, recipient_id, category,
    count() AS events
FROM lineage_events
ARRAY JOIN data_categories AS category
GROUP BY day, source_system, recipient_id, category;
CREATE MATERIALIZED VIEW lineage_daily_subjects_feed
TO lineage_daily_subjects
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, recipient_id,
    uniqHLL12State(subject_id) AS subjects
FROM lineage_events
GROUP BY day, source_system, recipient_id;
CREATE MATERIALIZED VIEW lineage_daily_all_subjects_feed
TO lineage_daily_subjects
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, '*' AS recipient_id,
    uniqHLL12State(subject_id) AS subjects
FROM lineage_events
GROUP BY day, source_system;
INSERT INTO lineage_daily (day, source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, toUInt64(1)
FROM lineage_events
WHERE ingested_at >= (SELECT max(cut) FROM lineage_daily_cut)
  AND ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed');
INSERT INTO lineage_daily_categories (day, source_system, recipient_id, category, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, recipient_id, category, toUInt64(1)
FROM lineage_events
ARRAY JOIN data_categories AS category
WHERE ingested_at >= (SELECT max(cut) FROM lineage_daily_cut)
  AND ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed');
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id, uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at >= (SELECT max(cut) FROM lineage_daily_cut)
  AND ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed')
GROUP BY day, source_system, recipient_id;
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, '*', uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at >= (SELECT max(cut) FROM lineage_daily_cut)
  AND ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed')
GROUP BY day, source_system;
