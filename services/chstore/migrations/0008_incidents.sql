-- The breach record (GDPR Art. 33(5)): one row per stored copy of an
-- incident event (opened, counted, authority_notified, closed;
-- schemas/incidents). The state of an incident and its two clocks (24
-- hours under Regulation 611/2013, 72 hours under GDPR Art. 33) are
-- folded from its events in Go (pkg/incident), as for access requests.
--
-- ORDER BY (incident_id, event_id): every read is per incident, or of the
-- few incidents still open; copies of a retried event share one key,
-- which ReplacingMergeTree collapses when it merges parts, and queries
-- take one row per event id until then. Incidents are rare: no
-- partitions. Per-type fields are empty strings and zeros on the events
-- of other types; times are microseconds since the epoch in Int64.
CREATE TABLE IF NOT EXISTS incident_events
(
    incident_id     String,
    event_id        String,
    event_type      String,
    at_us           Int64,
    recorded_us     Int64,
    actor           String,
    party_kind      String,
    party           String,
    window_from_us  Int64,
    window_to_us    Int64,
    nature          String,
    subjects        Int64,
    events          Int64,
    approximate     UInt8,
    authority       String,
    reference       String,
    reason          String,
    ingested_at     DateTime DEFAULT now(),
    kafka_partition Int32,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree
ORDER BY (incident_id, event_id)
SETTINGS index_granularity = 1024;
