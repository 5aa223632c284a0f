-- The recipient of the breach benchmarks, after events.sql: 300,000
-- transfers to rcp-breach of 100,000 subjects (three each; subjects
-- 0, 10, 20, ... of events.sql's million), spread over 2021-2025, with the
-- categories of a payment file. Deterministic, as events.sql.
INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-9000-', substring(toString(1000000000000 + number), 2)) AS event_id,
    'transfer' AS kind,
    1609459200000000 + toInt64(intHash64(number + 20000000) % 157766400000000) AS occurred_us,
    occurred_us + 150000 AS recorded_us,
    'billing' AS source_system,
    'service_account' AS actor_type,
    'svc-billing' AS actor_id,
    concat('C', substring(toString(100000000 + (number % 100000) * 10), 2)) AS subject_id,
    arraySlice(['billing', 'transaction', 'identification', 'contact'], 1 + number % 2, 2 + number % 3) AS data_categories,
    'service_provision' AS purpose,
    'contract' AS legal_basis,
    '' AS legitimate_interest,
    'rcp-breach' AS recipient_id,
    'Breach Payments SIA' AS recipient_name,
    'bank' AS recipient_category,
    'LV' AS recipient_country,
    '' AS transfer_mechanism,
    concat('00-', substring(toString(cityHash64(number, 17) + 10000000000000000000), 2), '0000000000000',
           '-', substring(toString(cityHash64(number, 18) % 10000000000000000 + 10000000000000000), 2), '-01') AS trace_parent,
    '' AS trace_state,
    emptyArrayString() AS attr_keys,
    emptyArrayString() AS attr_values,
    toInt32(number % 12) AS kafka_partition,
    toInt64(20000000 + number) AS kafka_offset
FROM numbers(300000);
