-- The overview of a year read the year's rows of lineage_daily, about
-- 2,000 flows a day on the benchmarks' store (720,000 rows), and spent
-- 250 ms of its 300 ms budget on them. The same flows by month are 127,000
-- rows a year. lineage_monthly is lineage_daily by month (the first day of
-- the month, UTC), filled the same way, by a view from every insert into
-- lineage_events; the overview reads it for the whole months of its window
-- and lineage_daily for the days at either edge
-- (queries/dashboard_flows.sql).
--
-- What it counts, as 0009: stored rows. Within a month, a recipient's rows
-- under two names (renamed that month) both carry the month's date, so the
-- overview's "latest name" is then either of the two.
CREATE TABLE IF NOT EXISTS lineage_monthly
(
    month              Date,
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
PARTITION BY toYear(month)
ORDER BY (month, source_system, recipient_id, kind, recipient_category, recipient_country, transfer_mechanism,
          legal_basis, purpose, recipient_name)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS lineage_monthly_feed
TO lineage_monthly
AS SELECT
    toStartOfMonth(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS month,
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose, recipient_name,
    count() AS events
FROM lineage_events
GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
         legal_basis, purpose, recipient_name;

-- The rows stored before the view existed, to the second, as in 0009 (let
-- one process migrate first: two copying at once would both count), one by
-- one so that the copy needs no memory for grouping.
INSERT INTO lineage_monthly (month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT toStartOfMonth(toDateTime(intDiv(occurred_us, 1000000), 'UTC')), source_system, kind, recipient_id,
    recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name, toUInt64(1)
FROM lineage_events
WHERE ingested_at < (SELECT max(metadata_modification_time) FROM system.tables
                     WHERE database = currentDatabase() AND name = 'lineage_monthly_feed');
