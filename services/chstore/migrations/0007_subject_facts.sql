-- Facts about a data subject's rights rather than about a flow of data
-- (schemas/facts): consent given and withdrawn per purpose, opt-outs of
-- commercial communication, erasure requested, told to recipients and
-- confirmed, and authorities' requests for retained data that could not be
-- met. Flags (a disclosure on consent after its withdrawal, a message
-- after an opt-out, a recipient that has not confirmed an erasure) are
-- worked out in Go (pkg/subjectfact) from a subject's facts and events:
-- the rules are the domain's, and a subject has a handful of facts.
--
-- ORDER BY (subject_id, fact_id): reads are per subject, or of the few
-- subjects with a withdrawal, an opt-out or an erasure; copies of a
-- retried fact share one key, which ReplacingMergeTree collapses when it
-- merges parts, and queries take one row per fact id until then. The
-- table is small: no partitions. Absent optional fields are empty
-- strings, as in lineage_events.
CREATE TABLE IF NOT EXISTS subject_facts
(
    subject_id      String,
    fact_id         String,
    fact_type       String,
    at_us           Int64,
    recorded_us     Int64,
    source_system   String,
    actor           String,
    purpose         String,
    channel         String,
    recipient_id    String,
    reference       String,
    reason          String,
    ingested_at     DateTime DEFAULT now(),
    kafka_partition Int32,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree
ORDER BY (subject_id, fact_id)
SETTINGS index_granularity = 1024;
