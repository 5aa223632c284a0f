-- Identity links and identified events for the lookup benchmarks, after
-- events.sql. Every one of the 1,000,000 subjects holds one phone number,
-- and every number is held by two: customer n (n < 500,000) from 2021-01-01
-- to 2023-01-01, customer n + 500,000 from 2023-03-01 on. 2,000,000 CDR
-- transfers to the police are stored under the numbers (hashed, as the
-- producers do), spread over 2021-2025: a lookup of any subject resolves
-- about two of them through its link, and those in the two months between
-- holders stay unresolved. The hash is SHA-256 of the number's index, not
-- an HMAC: the benchmarks need the shape, not the key.
INSERT INTO identity_links_v2 (
    subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
    source_system, retracted, kafka_partition, kafka_offset)
SELECT
    concat('C', substring(toString(100000000 + number), 2)) AS subject_id,
    'msisdn' AS id_kind,
    lower(hex(SHA256(toString(number % 500000)))) AS id_hmac,
    if(number < 500000, 1609459200000000, 1677628800000000) AS valid_from_us,
    if(number < 500000, 1672531200000000, 9223372036854775807) AS valid_to_us,
    valid_from_us AS recorded_us,
    'crm' AS source_system,
    toUInt8(0) AS retracted,
    toInt32(number % 12) AS kafka_partition,
    toInt64(number) AS kafka_offset
FROM numbers(1000000);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-9000-', substring(toString(1000000000000 + number), 2)) AS event_id,
    'transfer' AS kind,
    1609459200000000 + toInt64(intHash64(number) % 157766400000000) AS occurred_us,
    occurred_us + 150000 AS recorded_us,
    'cdr_mediation' AS source_system,
    'employee_role' AS actor_type,
    'lawful_request_officer' AS actor_id,
    concat('msisdn:', lower(hex(SHA256(toString(intHash32(number) % 500000))))) AS subject_id,
    ['traffic_data', 'location'] AS data_categories,
    'legal_obligation' AS purpose,
    'legal_obligation' AS legal_basis,
    '' AS legitimate_interest,
    'rcp-state-police' AS recipient_id,
    'Valsts policija' AS recipient_name,
    'law_enforcement' AS recipient_category,
    'LV' AS recipient_country,
    '' AS transfer_mechanism,
    '' AS trace_parent,
    '' AS trace_state,
    emptyArrayString() AS attr_keys,
    emptyArrayString() AS attr_values,
    toInt32(number % 12) AS kafka_partition,
    toInt64(number) AS kafka_offset
FROM numbers(2000000);
