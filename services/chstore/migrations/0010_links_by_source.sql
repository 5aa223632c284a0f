-- Identity links kept per source system. identity_links (0002) and
-- identity_links_by_identifier (0003) name a link by subject, identifier and
-- valid_from only, so when two allowed sources (CRM and the contact centre,
-- say) state or retract the same link, one source's later row replaces the
-- other's: a retraction by one removes the other's statement. Here the
-- source is part of the name: each source's statements are versioned on
-- their own, and the queries decide each source's link before combining
-- the sources (queries/links.sql).
--
-- A sort key cannot be changed in place on ClickHouse 18.16, so both tables
-- are made anew under new names and the store writes and reads those. Every
-- statement may run again after an interrupted or concurrent run: the
-- tables and views are created IF NOT EXISTS, the old view is dropped IF
-- EXISTS, and links copied twice are one statement to every query, which
-- takes the latest of each with argMax as before.
CREATE TABLE IF NOT EXISTS identity_links_v2
(
    subject_id      String,
    id_kind         String,
    id_hmac         String,
    valid_from_us   Int64,
    valid_to_us     Int64,
    recorded_us     Int64,
    source_system   String,
    retracted       UInt8,
    ingested_at     DateTime DEFAULT now(),
    kafka_partition Int32,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree(recorded_us)
ORDER BY (subject_id, id_kind, id_hmac, valid_from_us, source_system)
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS identity_links_by_identifier_v2
(
    id_kind         String,
    id_hmac         String,
    valid_from_us   Int64,
    subject_id      String,
    source_system   String,
    valid_to_us     Int64,
    recorded_us     Int64,
    retracted       UInt8,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree(recorded_us)
ORDER BY (id_kind, id_hmac, valid_from_us, subject_id, source_system)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS identity_links_v2_to_by_identifier
TO identity_links_by_identifier_v2
AS SELECT id_kind, id_hmac, valid_from_us, subject_id, source_system, valid_to_us, recorded_us, retracted, kafka_offset
FROM identity_links_v2;

-- A materializer of an older version, still running while this one
-- migrates or started again after it, writes identity_links: these views
-- carry its links into both new tables: 18.16 does not pass a view's
-- inserts on to the views of its target, so each table has its own (a
-- current release does, and stores such a link twice in
-- identity_links_by_identifier_v2, which the queries count once). They are
-- created before the copy below, so no link falls between them.
CREATE MATERIALIZED VIEW IF NOT EXISTS identity_links_to_v2
TO identity_links_v2
AS SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us, source_system, retracted,
    ingested_at, kafka_partition, kafka_offset
FROM identity_links;

CREATE MATERIALIZED VIEW IF NOT EXISTS identity_links_to_by_identifier_v2
TO identity_links_by_identifier_v2
AS SELECT id_kind, id_hmac, valid_from_us, subject_id, source_system, valid_to_us, recorded_us, retracted, kafka_offset
FROM identity_links;

-- identity_links_by_identifier is read by nothing any more.
DROP TABLE IF EXISTS identity_links_to_by_identifier;

-- The links stored before this migration, with their source. The insert
-- fills identity_links_by_identifier_v2 through its view. Statements of one
-- source that identity_links had already merged away in favour of
-- another's are not there to copy.
INSERT INTO identity_links_v2 (
    subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
    source_system, retracted, ingested_at, kafka_partition, kafka_offset)
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
    source_system, retracted, ingested_at, kafka_partition, kafka_offset
FROM identity_links;
