-- Identity links: customer subject_id held the identifier (id_kind, id_hmac)
-- from valid_from_us until valid_to_us (exclusive; the largest Int64 while
-- still held). Lineage events whose source knew only an identifier are
-- stored in lineage_events under the identifier's key, "kind:hmac", in
-- subject_id; a lookup of a customer reads its links here, then the events
-- under each identifier's key inside the link's time window. Resolution
-- therefore happens when the question is asked: a link that arrives late,
-- or is closed or retracted later, changes the next answer, and a phone
-- number given to a new customer never carries the old holder's events
-- across, whatever order the log is read in.
--
-- A link is named by (subject_id, id_kind, id_hmac, valid_from_us); its
-- statements are versioned by (recorded_us, kafka_offset), and queries take
-- the latest with argMax, so they do not depend on merges. The table is
-- small (one row per number, address or device ever assigned): no
-- partitions.
CREATE TABLE IF NOT EXISTS identity_links
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
ORDER BY (subject_id, id_kind, id_hmac, valid_from_us)
SETTINGS index_granularity = 1024;
