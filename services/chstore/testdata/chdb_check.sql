-- Written by TestChdbCheckSQL (LINEAGE_UPDATE_GOLDEN=1 go test -run TestChdbCheckSQL):
-- what services/chstore sends besides its DDL, read queries as clickhouse-go
-- rendered them for ClickHouse 18.16. Runs after migrations/*.sql, in one session.

INSERT INTO schema_migrations (version, name, checksum) VALUES (1, 'lineage_events', '7671ea7d36c1713f358acedf267fb46d05b22b5d48d0251b45a7d36d76b9ff5a');

-- Synthetic events for the lookup benchmarks: 10,000,000 events of
-- 1,000,000 subjects (about ten each, uniformly spread by a hash), over the
-- five years 2021-2025. Six in ten are accesses, three transfers and one a
-- processor hand-off, to one of 50 recipients. Deterministic: the same
-- number always gives the same event, on ClickHouse 18.16 and on current
-- releases. It lives outside testdata/*.sql because 10,000,000 rows take a
-- minute and 1.6 GB in chdb: testdata/chdb_check.sql holds a 100,000-row
-- copy for the current-ClickHouse check.
INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-8000-', substring(toString(1000000000000 + number), 2)) AS event_id,
    multiIf(number % 10 < 6, 'access', number % 10 < 9, 'transfer', 'processor_handoff') AS kind,
    1609459200000000 + toInt64(intHash64(number) % 157766400000000) AS occurred_us,
    occurred_us + 150000 AS recorded_us,
    ['crm', 'billing', 'self_service', 'network'][1 + cityHash64(number, 1) % 4] AS source_system,
    'service_account' AS actor_type,
    concat('svc-', source_system) AS actor_id,
    concat('C', substring(toString(100000000 + intHash32(number) % 1000000), 2)) AS subject_id,
    arraySlice(['identification', 'contact', 'billing', 'service_usage', 'customer', 'crm_activity'],
               1 + cityHash64(number, 2) % 4, 1 + cityHash64(number, 3) % 3) AS data_categories,
    ['service_provision', 'credit_and_debt', 'security'][1 + cityHash64(number, 4) % 3] AS purpose,
    ['contract', 'legal_obligation', 'legitimate_interest'][1 + cityHash64(number, 5) % 3] AS legal_basis,
    if(legal_basis = 'legitimate_interest', '7.15', '') AS legitimate_interest,
    if(kind = 'access', '', concat('rcp-', toString(cityHash64(number, 6) % 50))) AS recipient_id,
    if(kind = 'access', '', concat('Recipient ', toString(cityHash64(number, 6) % 50), ' SIA')) AS recipient_name,
    if(kind = 'access', '', ['bank', 'processor', 'debt_collector', 'postal_provider', 'credit_bureau'][1 + cityHash64(number, 6) % 5]) AS recipient_category,
    if(kind = 'access', '', ['LV', 'LT', 'EE', 'DE', 'IN', 'US'][1 + cityHash64(number, 6) % 6]) AS recipient_country,
    if(recipient_country IN ('IN', 'US'), 'standard_contractual_clauses', '') AS transfer_mechanism,
    concat('00-', substring(toString(cityHash64(number, 7) + 10000000000000000000), 2), '0000000000000',
           '-', substring(toString(cityHash64(number, 8) % 10000000000000000 + 10000000000000000), 2), '-01') AS trace_parent,
    '' AS trace_state,
    if(kind = 'access', ['ticket'], emptyArrayString()) AS attr_keys,
    if(kind = 'access', [concat('CC-', toString(number % 100000))], emptyArrayString()) AS attr_values,
    toInt32(number % 12) AS kafka_partition,
    toInt64(number) AS kafka_offset
FROM numbers(100000);

-- migrations
SELECT version, arraySort(groupUniqArray(checksum)) FROM schema_migrations GROUP BY version;

-- recipients
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). Every aggregate gives the same answer whether an event is
-- stored once or many times (a retry or replay not merged away yet):
-- argMax, min, max and sets ignore copies, and Events is uniqExact(event_id),
-- never count(). Ties on occurred_us go to the later recorded, then higher
-- event id, so the name does not depend on which part is read first.
SELECT
    recipient_id,
    argMax(recipient_name, (occurred_us, recorded_us, event_id)) AS latest_name,
    recipient_category,
    recipient_country,
    transfer_mechanism,
    arraySort(groupUniqArray(kind)) AS kinds,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    arraySort(groupUniqArray(purpose)) AS purposes,
    arraySort(groupUniqArray(legal_basis)) AS legal_bases,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    uniqExact(event_id) AS event_count
FROM lineage_events
WHERE subject_id = 'C00043814'
  AND occurred_us >= 0
  AND occurred_us < 9223372036854775807
  AND kind IN ('transfer', 'processor_handoff')
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- recipients_bounded
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). Every aggregate gives the same answer whether an event is
-- stored once or many times (a retry or replay not merged away yet):
-- argMax, min, max and sets ignore copies, and Events is uniqExact(event_id),
-- never count(). Ties on occurred_us go to the later recorded, then higher
-- event id, so the name does not depend on which part is read first.
SELECT
    recipient_id,
    argMax(recipient_name, (occurred_us, recorded_us, event_id)) AS latest_name,
    recipient_category,
    recipient_country,
    transfer_mechanism,
    arraySort(groupUniqArray(kind)) AS kinds,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    arraySort(groupUniqArray(purpose)) AS purposes,
    arraySort(groupUniqArray(legal_basis)) AS legal_bases,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    uniqExact(event_id) AS event_count
FROM lineage_events
WHERE subject_id = 'C00043814'
  AND occurred_us >= 1640995200000000
  AND occurred_us < 1735689600000000
  AND kind IN ('transfer', 'processor_handoff')
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- events_first_page
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE subject_id = 'C00043814'
  AND occurred_us >= 0
  AND occurred_us < 9223372036854775807
  AND occurred_us <= 9223372036854775807
  AND (occurred_us, event_id) < (9223372036854775807, '')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_next_page
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE subject_id = 'C00043814'
  AND occurred_us >= 0
  AND occurred_us < 9223372036854775807
  AND occurred_us <= 1646450328492307
  AND (occurred_us, event_id) < (1646450328492307, '00000000-0000-4000-8000-000000067366')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_bounded
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE subject_id = 'C00043814'
  AND occurred_us >= 1640995200000000
  AND occurred_us < 1735689600000000
  AND occurred_us <= 9223372036854775807
  AND (occurred_us, event_id) < (9223372036854775807, '')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 101;

