-- The events table: one row per stored copy of a lineage event.
--
-- ORDER BY starts with subject_id because every read is per subject: a lookup
-- reads the few granules of each part that hold the subject's rows. The key
-- goes on with occurred_us and event_id so a timeline comes out of the index
-- in order, and so that the copies of a retried event share one key, which
-- ReplacingMergeTree collapses when it merges parts. Until then the copies
-- are all there, and every query counts an event id once by itself.
--
-- Partitions are calendar years (UTC) of occurred_at, not months: a lookup
-- without a time bound reads every partition's parts, and answers span five
-- years. Dropping a year is how old data leaves (18.16 has no TTL).
--
-- An empty string is an absent optional field. No LowCardinality, Map or
-- DateTime64: ClickHouse 18.16 lacks them. Times are microseconds since the
-- epoch in Int64, as in the Avro schema.
CREATE TABLE IF NOT EXISTS lineage_events
(
    event_id            String,
    kind                String,
    occurred_us         Int64,
    recorded_us         Int64,
    ingested_at         DateTime DEFAULT now(),
    source_system       String,
    actor_type          String,
    actor_id            String,
    subject_id          String,
    data_categories     Array(String),
    purpose             String,
    legal_basis         String,
    legitimate_interest String,
    recipient_id        String,
    recipient_name      String,
    recipient_category  String,
    recipient_country   String,
    transfer_mechanism  String,
    trace_parent        String,
    trace_state         String,
    attr_keys           Array(String),
    attr_values         Array(String),
    kafka_partition     Int32,
    kafka_offset        Int64
)
ENGINE = ReplacingMergeTree
PARTITION BY toYear(toDateTime(intDiv(occurred_us, 1000000), 'UTC'))
ORDER BY (subject_id, occurred_us, event_id)
SETTINGS index_granularity = 1024;
