-- The identity links again, ordered by identifier: who else held the
-- identifiers a customer held. A lookup needs it to find links of two
-- customers that overlap on one identifier (a CRM error, or a number
-- ported before the old contract was closed): the events of the overlap
-- belong to one of them, and until CRM says which they are in neither
-- answer, so that an access report never discloses another person's calls.
--
-- A materialized view fills it from every insert into identity_links, from
-- any materializer of any version; the INSERT ... SELECT copies the links
-- stored before the view existed. A link stored in between is copied twice,
-- which is harmless: queries take the latest statement of each link with
-- argMax, as on identity_links. Several materializers may run this at once
-- for the same reason.
CREATE TABLE IF NOT EXISTS identity_links_by_identifier
(
    id_kind         String,
    id_hmac         String,
    valid_from_us   Int64,
    subject_id      String,
    valid_to_us     Int64,
    recorded_us     Int64,
    retracted       UInt8,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree(recorded_us)
ORDER BY (id_kind, id_hmac, valid_from_us, subject_id)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS identity_links_to_by_identifier
TO identity_links_by_identifier
AS SELECT id_kind, id_hmac, valid_from_us, subject_id, valid_to_us, recorded_us, retracted, kafka_offset
FROM identity_links;

INSERT INTO identity_links_by_identifier (id_kind, id_hmac, valid_from_us, subject_id, valid_to_us, recorded_us, retracted, kafka_offset)
SELECT id_kind, id_hmac, valid_from_us, subject_id, valid_to_us, recorded_us, retracted, kafka_offset
FROM identity_links;
