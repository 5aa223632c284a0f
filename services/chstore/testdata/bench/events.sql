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
FROM numbers(10000000);
