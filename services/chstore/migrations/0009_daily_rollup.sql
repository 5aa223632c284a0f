-- The DPO's dashboard counts events per day, source system, recipient,
-- basis, purpose, country and data category across the whole store, which
-- lineage_events, ordered by subject, could only answer by reading a year's
-- partitions whole (a second or more per 10,000,000 events). Three rollups
-- answer it from a few hundred thousand rows a year instead, each filled by
-- a materialized view from every insert into lineage_events, so the
-- materializer still writes one table:
--
--   lineage_daily            events per day and flow (source system, kind,
--                            recipient and its category, country, mechanism
--                            and name, legal basis, purpose);
--   lineage_daily_categories events per day, source system, recipient and
--                            data category (ARRAY JOIN: an event counts once
--                            under each of its categories);
--   lineage_daily_subjects   uniqHLL12 states of the subject keys per day,
--                            source system and recipient, and again (a second
--                            view) under recipient '*' for all of the day's
--                            rows, so that an overview without a recipient
--                            merges a few states a day, not one per recipient.
--                            HyperLogLog (exact up to 16, within about 2 %
--                            beyond), not uniq: merging a year of uniq states
--                            took 1 s on the benchmarks' store, these 0.1 s.
--
-- What they count: stored rows. lineage_events collapses the copies of a
-- retried event (same subject, time and id) when its parts merge; the
-- rollups see each insert and never see the merge, so a copy stored again
-- (a batch inserted again after a crash before its offsets were committed,
-- or a source that sent one event twice) counts again here, for good. The
-- API says so where it answers from them; the events behind a number
-- (queries/dashboard_events.sql) count each event id once.
--
-- Days are UTC days of occurred_at; partitions are years, as lineage_events.
-- Restricted disclosures count: the rollups are the DPO's. Subject keys are
-- as stored (a customer id, or an identifier's key): not resolved.
CREATE TABLE IF NOT EXISTS lineage_daily
(
    day                Date,
    source_system      String,
    kind               String,
    recipient_id       String,
    recipient_category String,
    recipient_country  String,
    transfer_mechanism String,
    legal_basis        String,
    purpose            String,
    recipient_name     String,
    events             UInt64
)
ENGINE = SummingMergeTree(events)
PARTITION BY toYear(day)
ORDER BY (day, source_system, recipient_id, kind, recipient_category, recipient_country, transfer_mechanism,
          legal_basis, purpose, recipient_name)
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS lineage_daily_categories
(
    day           Date,
    source_system String,
    recipient_id  String,
    category      String,
    events        UInt64
)
ENGINE = SummingMergeTree(events)
PARTITION BY toYear(day)
ORDER BY (day, source_system, recipient_id, category)
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS lineage_daily_subjects
(
    day           Date,
    source_system String,
    recipient_id  String,
    subjects      AggregateFunction(uniqHLL12, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (day, source_system, recipient_id)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_daily_feed
TO lineage_daily
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose, recipient_name,
    count() AS events
FROM lineage_events
GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
         legal_basis, purpose, recipient_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_daily_categories_feed
TO lineage_daily_categories
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, recipient_id, category,
    count() AS events
FROM lineage_events
ARRAY JOIN data_categories AS category
GROUP BY day, source_system, recipient_id, category;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_daily_subjects_feed
TO lineage_daily_subjects
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, recipient_id,
    uniqHLL12State(subject_id) AS subjects
FROM lineage_events
GROUP BY day, source_system, recipient_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_daily_all_subjects_feed
TO lineage_daily_subjects
AS SELECT
    toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day,
    source_system, '*' AS recipient_id,
    uniqHLL12State(subject_id) AS subjects
FROM lineage_events
GROUP BY day, source_system;

-- The rows stored before the views existed: those ingested before the
-- second the last view was created, which the views did not see. A row
-- stored in that very second before the view is left out, one after it is
-- counted by the view: the seam is one second wide. Unlike the copies of
-- 0003 and 0006, this one is not harmless twice: let one process migrate
-- first (two materializers migrating at the same moment would both copy). The main rollup's rows
-- go in one by one (SummingMergeTree adds them up when it merges), so that
-- the copy needs no memory for grouping however large the table.
INSERT INTO lineage_daily (day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, kind, recipient_id, recipient_category,
    recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, toUInt64(1)
FROM lineage_events
WHERE ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed');

INSERT INTO lineage_daily_categories (day, source_system, recipient_id, category, events)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, recipient_id, category, toUInt64(1)
FROM lineage_events
ARRAY JOIN data_categories AS category
WHERE ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed');

INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id, uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed')
GROUP BY day, source_system, recipient_id;

INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, '*', uniqHLL12State(subject_id)
FROM lineage_events
WHERE ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_daily_all_subjects_feed')
GROUP BY day, source_system;
