-- The access request log: one row per stored copy of an access request
-- event (received, identity_checked, extended, answered, refused; GDPR
-- Art. 15 and Art. 12(3), policy §28-§30). The state of a request and its
-- deadline are folded from its events in Go (pkg/accessrequest), not here:
-- counting the period in Riga working days is the domain's, and a request
-- has a handful of events.
--
-- ORDER BY (request_id, event_id): every read is per request, or of the
-- few requests still open, and the copies of a retried event share one
-- key, which ReplacingMergeTree collapses when it merges parts. Until then
-- queries take one row per event id (LIMIT 1 BY). The table is small (a
-- few events per request, a few requests a day): no partitions.
--
-- Per-type fields are empty strings, 0 months and 0 microseconds on the
-- events of other types, as absent optional fields are in lineage_events.
-- Times are microseconds since the epoch in Int64, as in the Avro schema;
-- no LowCardinality, Map or DateTime64, which ClickHouse 18.16 lacks.
CREATE TABLE IF NOT EXISTS access_request_events
(
    request_id       String,
    event_id         String,
    event_type       String,
    at_us            Int64,
    recorded_us      Int64,
    actor            String,
    channel          String,
    subject_id       String,
    identity_method  String,
    extension_months UInt8,
    subject_told_us  Int64,
    reason           String,
    report_hash      String,
    report_format    String,
    report_language  String,
    delivery_channel String,
    ingested_at      DateTime DEFAULT now(),
    kafka_partition  Int32,
    kafka_offset     Int64
)
ENGINE = ReplacingMergeTree
ORDER BY (request_id, event_id)
SETTINGS index_granularity = 1024;
