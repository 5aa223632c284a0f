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
FROM numbers(20000);

INSERT INTO identity_links_v2 (
    subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
    source_system, retracted, kafka_partition, kafka_offset)
SELECT 'C09999999', 'ip_address', lower(hex(SHA256(concat('ip', toString(number))))),
    1704067200000000 + number * 7200000000, 1704067200000000 + number * 7200000000 + 3600000000,
    1704067200000000, 'crm', toUInt8(0), toInt32(0), toInt64(2000000 + number)
FROM numbers(40);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-a000-', substring(toString(1000000000000 + number), 2)), 'transfer',
    1704067200000000 + intDiv(number, 2) * 7200000000 + if(number % 2 = 0, 60000000, 3660000000) AS occurred_us,
    occurred_us + 150000, 'cdr_mediation', 'employee_role', 'lawful_request_officer',
    concat('ip_address:', lower(hex(SHA256(concat('ip', toString(intDiv(number, 2))))))),
    ['traffic_data'], 'legal_obligation', 'legal_obligation', '',
    'rcp-state-police', 'Valsts policija', 'law_enforcement', 'LV', '', '', '', [], [], toInt32(0), toInt64(3000000 + number)
FROM numbers(80);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
    actor_employee, restriction_basis, restriction_review_us)
SELECT '00000000-0000-4000-b000-000000000001', 'transfer', toInt64(1704153600000000), toInt64(1704153600150000),
    'cdr_mediation', 'employee_role', 'lawful_request_officer', 'C09999999', ['traffic_data', 'location'],
    'legal_obligation', 'legal_obligation', '', 'rcp-state-security', 'Valsts drošības dienests', 'law_enforcement',
    'LV', '', '', '', emptyArrayString(), emptyArrayString(), toInt32(0), toInt64(4000000),
    'E1042', 'Kriminālprocesa likums, 192. pants', toInt64(4102444800000000);

INSERT INTO access_request_events (
    request_id, event_id, event_type, at_us, recorded_us, actor, channel, subject_id, identity_method,
    extension_months, subject_told_us, reason, report_hash, report_format, report_language, delivery_channel,
    kafka_partition, kafka_offset)
SELECT 'AR-2026-OPEN0001', '00000000-0000-4000-c000-000000000001', 'received', toInt64(1767261600000000), toInt64(1767261600000000), 'desk-1', 'e_signed_email', '', '', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(0), toInt64(1)
UNION ALL
SELECT 'AR-2026-OPEN0001', '00000000-0000-4000-c000-000000000002', 'identity_checked', toInt64(1767265200000000), toInt64(1767265200000000), 'desk-1', '', 'C09999999', 'secure_e_signature', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(0), toInt64(2)
UNION ALL
SELECT 'AR-2026-DONE0001', '00000000-0000-4000-c000-000000000003', 'received', toInt64(1767261600000000), toInt64(1767261600000000), 'desk-1', 'in_person', '', '', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(1), toInt64(1)
UNION ALL
SELECT 'AR-2026-DONE0001', '00000000-0000-4000-c000-000000000004', 'refused', toInt64(1767348000000000), toInt64(1767348000000000), 'desk-1', '', '', '', toUInt8(0), toInt64(0), 'manifestly unfounded', '', '', '', '', toInt32(1), toInt64(2);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-d000-', substring(toString(1000000000000 + number), 2)), 'access',
    1735725600000000 + number * 86400000000 AS occurred_us, occurred_us + 1000000, 'contact_centre', 'employee_role', 'quality_supervisor',
    concat('C0900', substring(toString(10000 + number % 20), 2)), ['call_recordings', 'communication'],
    'service_provision', 'legitimate_interest', '7.7', '', '', '', '', '', '', '',
    ['retention_from'], [toString(toDate('2025-01-01') + number - (number % 9) * 30)], toInt32(0), toInt64(5000000 + number)
FROM numbers(200);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-e000-', substring(toString(1000000000000 + number), 2)), 'transfer',
    1704103200000000 + number * 604800000000 AS occurred_us, occurred_us + 60000000, 'cdr_mediation', 'employee_role', 'retained_data_officer',
    concat('msisdn:', lower(hex(SHA256(concat('retained', toString(number)))))), ['traffic_data', 'service_usage'],
    'legal_obligation', 'legal_obligation', '', 'rcp-state-police', 'Valsts policija', 'law_enforcement', 'LV', '', '', '',
    ['request_ref', 'retention_from'],
    [concat('VP-2024/', toString(intDiv(number, 2))), toString(toDate('2024-01-01') + number * 7 - (number % 20) * 30)],
    toInt32(0), toInt64(6000000 + number)
FROM numbers(40);

INSERT INTO subject_facts (
    subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT '', concat('00000000-0000-4000-f000-', substring(toString(1000000000000 + number), 2)), 'lawful_request_unmet',
    1709287200000000 + number * 2592000000000 AS at_us, at_us, 'cdr_mediation', 'svc-lawful-requests', '', '',
    if(number = 0, 'rcp-state-security', 'rcp-state-police'), concat('U-2024/', toString(number)), 'not retained', toInt32(0), toInt64(number)
FROM numbers(3);

INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT '00000000-0000-4000-9100-000000000001', 'access', toInt64(1717236000000000), toInt64(1717236000000000), 'crm', 'service_account', 'svc-crm-analytics',
    'C00511896', ['customer_analytics'], 'planning_analytics', 'consent', '', '', '', '', '', '', '', '',
    emptyArrayString(), emptyArrayString(), toInt32(0), toInt64(7000000);

INSERT INTO subject_facts (
    subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT 'C00511896', '00000000-0000-4000-9000-000000000001', 'consent_withdrawn', toInt64(1704103200000000), toInt64(1704103200000000),
    'crm', 'crm-consents', 'planning_analytics', 'self_service_portal', '', '', '', toInt32(0), toInt64(10)
UNION ALL
SELECT 'C00511896', '00000000-0000-4000-9000-000000000002', 'opted_out', toInt64(1704103200000000), toInt64(1704103200000000),
    'crm', 'crm-consents', '', 'phone', '', '', '', toInt32(0), toInt64(11)
UNION ALL
SELECT 'C00511896', '00000000-0000-4000-9000-000000000003', 'erasure_requested', toInt64(1735725600000000), toInt64(1735725600000000),
    'lineage_tracker', 'dpo', '', '', '', 'ER-2025-1', '', toInt32(0), toInt64(12)
UNION ALL
SELECT 'C00511896', '00000000-0000-4000-9000-000000000004', 'erasure_confirmed', toInt64(1736157600000000), toInt64(1736157600000000),
    'lineage_tracker', 'dpo', '', '', 'rcp-state-police', '', '', toInt32(0), toInt64(13);

INSERT INTO incident_events (
    incident_id, event_id, event_type, at_us, recorded_us, actor, party_kind, party, window_from_us, window_to_us, nature,
    subjects, events, approximate, authority, reference, reason, kafka_partition, kafka_offset)
SELECT 'IN-2025-OPEN00000001', '00000000-0000-4000-8800-000000000001', 'opened', toInt64(1735725600000000), toInt64(1735725600000000), 'dpo',
    'recipient', 'rcp-7', toInt64(1704067200000000), toInt64(1735689600000000), 'statements misdirected', toInt64(0), toInt64(0), toUInt8(0), '', '', '', toInt32(0), toInt64(1)
UNION ALL
SELECT 'IN-2025-OPEN00000001', '00000000-0000-4000-8800-000000000002', 'counted', toInt64(1735725660000000), toInt64(1735725660000000), 'dpo',
    '', '', toInt64(0), toInt64(0), '', toInt64(120), toInt64(300), toUInt8(1), '', '', '', toInt32(0), toInt64(2)
UNION ALL
SELECT 'IN-2025-DONE00000001', '00000000-0000-4000-8800-000000000003', 'opened', toInt64(1735725600000000), toInt64(1735725600000000), 'dpo',
    'source_system', 'crm', toInt64(1704067200000000), toInt64(1735689600000000), 'a lost laptop', toInt64(0), toInt64(0), toUInt8(0), '', '', '', toInt32(0), toInt64(3)
UNION ALL
SELECT 'IN-2025-DONE00000001', '00000000-0000-4000-8800-000000000004', 'closed', toInt64(1735812000000000), toInt64(1735812000000000), 'dpo',
    '', '', toInt64(0), toInt64(0), '', toInt64(0), toInt64(0), toUInt8(0), '', '', 'the disk was encrypted', toInt32(0), toInt64(4);

-- migrations
SELECT version, arraySort(groupUniqArray(checksum)) FROM schema_migrations GROUP BY version;

-- recipients
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- recipients_2
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links. Go fills in the identifier keys and windows comments
-- (chstore/identity.go): for a few windows, one condition per window in
-- the inner query, read through the primary key; for many, the identifiers
-- in the inner query and the windows, as arrays, in the outer one, since
-- ClickHouse 18.16 takes time quadratic in the number of OR terms and
-- refuses a lambda over a column in a MergeTree table's own WHERE. Every
-- aggregate gives the same answer whether an event is stored once or many
-- times (a retry or replay not merged away yet): argMax, min, max and sets
-- ignore copies, and Events is uniqExact(event_id), never count(). Ties on
-- occurred_us go to the later recorded, then higher event id, so the name
-- does not depend on which part is read first.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
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
FROM
(
    SELECT
        subject_id, occurred_us, recorded_us, event_id, kind, recipient_id, recipient_name,
        recipient_category, recipient_country, transfer_mechanism, data_categories, purpose, legal_basis
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
      AND restriction_review_us <= 1767225600000000
      AND kind IN ('transfer', 'processor_handoff')
)

GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- recipients_bounded
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- recipients_bounded_2
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links. Go fills in the identifier keys and windows comments
-- (chstore/identity.go): for a few windows, one condition per window in
-- the inner query, read through the primary key; for many, the identifiers
-- in the inner query and the windows, as arrays, in the outer one, since
-- ClickHouse 18.16 takes time quadratic in the number of OR terms and
-- refuses a lambda over a column in a MergeTree table's own WHERE. Every
-- aggregate gives the same answer whether an event is stored once or many
-- times (a retry or replay not merged away yet): argMax, min, max and sets
-- ignore copies, and Events is uniqExact(event_id), never count(). Ties on
-- occurred_us go to the later recorded, then higher event id, so the name
-- does not depend on which part is read first.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
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
FROM
(
    SELECT
        subject_id, occurred_us, recorded_us, event_id, kind, recipient_id, recipient_name,
        recipient_category, recipient_country, transfer_mechanism, data_categories, purpose, legal_basis
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000))
      AND restriction_review_us <= 1767225600000000
      AND kind IN ('transfer', 'processor_handoff')
)

GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- events_first_page
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- events_first_page_2
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
      AND restriction_review_us <= 1767225600000000
      AND occurred_us <= 9223372036854775807
      AND (occurred_us, event_id) < (9223372036854775807, '')
)

ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_next_page
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- events_next_page_2
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
      AND restriction_review_us <= 1767225600000000
      AND occurred_us <= 1740186894126978
      AND (occurred_us, event_id) < (1740186894126978, '00000000-0000-4000-8000-000000003629')
)

ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_bounded
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- events_bounded_2
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000))
      AND restriction_review_us <= 1767225600000000
      AND occurred_us <= 9223372036854775807
      AND (occurred_us, event_id) < (9223372036854775807, '')
)

ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 101;

-- recipients_many_windows
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C09999999'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- recipients_many_windows_2
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links. Go fills in the identifier keys and windows comments
-- (chstore/identity.go): for a few windows, one condition per window in
-- the inner query, read through the primary key; for many, the identifiers
-- in the inner query and the windows, as arrays, in the outer one, since
-- ClickHouse 18.16 takes time quadratic in the number of OR terms and
-- refuses a lambda over a column in a MergeTree table's own WHERE. Every
-- aggregate gives the same answer whether an event is stored once or many
-- times (a retry or replay not merged away yet): argMax, min, max and sets
-- ignore copies, and Events is uniqExact(event_id), never count(). Ties on
-- occurred_us go to the later recorded, then higher event id, so the name
-- does not depend on which part is read first.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
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
FROM
(
    SELECT
        subject_id, occurred_us, recorded_us, event_id, kind, recipient_id, recipient_name,
        recipient_category, recipient_country, transfer_mechanism, data_categories, purpose, legal_basis
    FROM lineage_events
    WHERE ((subject_id = 'C09999999' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id IN ('ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b') AND occurred_us >= 1704067200000000 AND occurred_us < 1704351600000000))
      AND restriction_review_us <= 1767225600000000
      AND kind IN ('transfer', 'processor_handoff')
)
WHERE subject_id = 'C09999999'
   OR arrayExists((i, f, t) -> i = indexOf(['ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b'], subject_id) AND occurred_us >= f AND occurred_us < t,
                  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40], [1704348000000000, 1704297600000000, 1704103200000000, 1704261600000000, 1704124800000000, 1704283200000000, 1704290400000000, 1704153600000000, 1704240000000000, 1704110400000000, 1704254400000000, 1704326400000000, 1704088800000000, 1704081600000000, 1704074400000000, 1704175200000000, 1704218400000000, 1704146400000000, 1704340800000000, 1704276000000000, 1704117600000000, 1704304800000000, 1704211200000000, 1704204000000000, 1704196800000000, 1704182400000000, 1704312000000000, 1704160800000000, 1704067200000000, 1704268800000000, 1704132000000000, 1704139200000000, 1704225600000000, 1704189600000000, 1704333600000000, 1704232800000000, 1704247200000000, 1704096000000000, 1704168000000000, 1704319200000000], [1704351600000000, 1704301200000000, 1704106800000000, 1704265200000000, 1704128400000000, 1704286800000000, 1704294000000000, 1704157200000000, 1704243600000000, 1704114000000000, 1704258000000000, 1704330000000000, 1704092400000000, 1704085200000000, 1704078000000000, 1704178800000000, 1704222000000000, 1704150000000000, 1704344400000000, 1704279600000000, 1704121200000000, 1704308400000000, 1704214800000000, 1704207600000000, 1704200400000000, 1704186000000000, 1704315600000000, 1704164400000000, 1704070800000000, 1704272400000000, 1704135600000000, 1704142800000000, 1704229200000000, 1704193200000000, 1704337200000000, 1704236400000000, 1704250800000000, 1704099600000000, 1704171600000000, 1704322800000000])
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- events_many_windows
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C09999999'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- events_many_windows_2
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = 'C09999999' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id IN ('ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b') AND occurred_us >= 1704067200000000 AND occurred_us < 1704351600000000))
      AND restriction_review_us <= 1767225600000000
      AND occurred_us <= 9223372036854775807
      AND (occurred_us, event_id) < (9223372036854775807, '')
)
WHERE subject_id = 'C09999999'
   OR arrayExists((i, f, t) -> i = indexOf(['ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b'], subject_id) AND occurred_us >= f AND occurred_us < t,
                  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40], [1704348000000000, 1704297600000000, 1704103200000000, 1704261600000000, 1704124800000000, 1704283200000000, 1704290400000000, 1704153600000000, 1704240000000000, 1704110400000000, 1704254400000000, 1704326400000000, 1704088800000000, 1704081600000000, 1704074400000000, 1704175200000000, 1704218400000000, 1704146400000000, 1704340800000000, 1704276000000000, 1704117600000000, 1704304800000000, 1704211200000000, 1704204000000000, 1704196800000000, 1704182400000000, 1704312000000000, 1704160800000000, 1704067200000000, 1704268800000000, 1704132000000000, 1704139200000000, 1704225600000000, 1704189600000000, 1704333600000000, 1704232800000000, 1704247200000000, 1704096000000000, 1704168000000000, 1704319200000000], [1704351600000000, 1704301200000000, 1704106800000000, 1704265200000000, 1704128400000000, 1704286800000000, 1704294000000000, 1704157200000000, 1704243600000000, 1704114000000000, 1704258000000000, 1704330000000000, 1704092400000000, 1704085200000000, 1704078000000000, 1704178800000000, 1704222000000000, 1704150000000000, 1704344400000000, 1704279600000000, 1704121200000000, 1704308400000000, 1704214800000000, 1704207600000000, 1704200400000000, 1704186000000000, 1704315600000000, 1704164400000000, 1704070800000000, 1704272400000000, 1704135600000000, 1704142800000000, 1704229200000000, 1704193200000000, 1704337200000000, 1704236400000000, 1704250800000000, 1704099600000000, 1704171600000000, 1704322800000000])
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 101;

-- all_events_many_windows
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C09999999'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- all_events_many_windows_2
-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = 'C09999999' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id IN ('ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b') AND occurred_us >= 1704067200000000 AND occurred_us < 1704351600000000))
      AND restriction_review_us <= 9223372036854775807
      AND occurred_us <= 9223372036854775807
      AND (occurred_us, event_id) < (9223372036854775807, '')
)
WHERE subject_id = 'C09999999'
   OR arrayExists((i, f, t) -> i = indexOf(['ip_address:0310bbff78533f1e705380e50ae054758409103a0a409ad16fc914ce0e7e2cbe', 'ip_address:079d7111960f03faf3121da4ba1e6d4c0d5d1d83ecf426ac7d77b3cd064e12e9', 'ip_address:09bf09ae4eaa5996a357cba8ae0289852770f9fe9c426cbf942a78224a98935a', 'ip_address:0b20fc810b19984513a68ddf31ad22efd6f619f9574384535f81c43c86c597da', 'ip_address:11c278238800b21108e348d12a55ce150aaf10f398ed8470f36ac05484db9891', 'ip_address:120fd19cf6c969aab214083bacaf78b27f82a1ac086c46d1b1740e6e20560d6c', 'ip_address:127928e0291023690aa7f08fa9670578f3ce5d053a5086ff42e0182912c06a5c', 'ip_address:1e6312b23db4b15f68bfbad75f8dce0193187569512307df4ce5644b2d503c62', 'ip_address:25f9aa1d4e9df6d4ad8164290ccc3ab1f19b95f627940432b76963d2942920ce', 'ip_address:2657f32a50fe53485b1211ee39e1a490d2f357aa1a174c2dbc2a25c9f8f38657', 'ip_address:34dbb4804e312aa7c4854eb0d377579cb1bf9317ab16d4045c9dbab45dbfa597', 'ip_address:35840026904c0d939d69cec1e3f43c57fb41005a19f5827f71fa17bae69468a1', 'ip_address:3fbd83a8354d192c96e3576120c638d973ed8b2278274f83f087ba8f30a91492', 'ip_address:536f1bf1f85cd42c27b830dcd2d1e87556ef3544b43e74d464f102d51d380c26', 'ip_address:56891f6a629ca65dd096fadc6e44f52fb188675f6af0756673fc038d6d8a3f95', 'ip_address:5dcf59a2ee519e2047e5f46da661508f93d0fca7f0e34d3f0b28b5f569b3cdc0', 'ip_address:6be46db521e0dbab28af73d6f1c05b121349f86980bcfff6f8e5747a68b83726', 'ip_address:6e528b26e9ddd24137dad7536beda938ec056f646fdf8a143a1e87aee61ec3cf', 'ip_address:795a9b4771ca2d9288e39bdb5898c3f61dcca442dcfbb683566af06b86577ae5', 'ip_address:7ed63db4ae05b3a71e726f0bea784e95c7a240215cf90bb4c272151206509720', 'ip_address:7f9455aa50e4f14f39a0fd1c2b3eb95eb8e93daf7a3de1e010675614e46a7159', 'ip_address:8a42a9cc32eda19aff12b64865e657ed15cc56ebbafb718f9b29d10c32bd147b', 'ip_address:9499bf89be95ea909dfaf994dd3ca10aef1b0a777bf4487447fc63e3ee341e56', 'ip_address:a50a915a437598fb62d631361b9f0ae58e208ebee932ea9353e10e034108beac', 'ip_address:a57808496ed0ce5f849d916856fcf7e51afde916e65e8f24084909e54e227d18', 'ip_address:aa9c4d0254172846e96aae0627985a0471367fea4ac1d79f8acb66f82edc78cb', 'ip_address:b18776527aa210469b914179e6db2e6f79641ce077b13935288aaf7f975c1d2c', 'ip_address:b203b5f5b5f210c44594569c283441f7f628ff985f247d6f1833a18839b90e18', 'ip_address:b4196192cfa1585816729b00debba753cac68550d94f9b57aa0ab8e658d76b72', 'ip_address:cebcd8560ab26fa0a9201569ef5839606c02a4557f90dcf28f3469e3ac2a8613', 'ip_address:cfb44cdb7aceada6b413901ffb1a1999f423c8a6c447406e654c201a8e09f030', 'ip_address:df51267b96cbecc53ef84cdcf574ec61d8213aaf858bd343d82822e1cbf38cd2', 'ip_address:e70a0d112f529a236cf574e65cdb06168308997baf1d398e18baeb3a099e21b8', 'ip_address:e9d55cc1a36346a7898ce6963d18d74752823fcbdf389a9c7e3cbbc2f0894d0d', 'ip_address:eafba6afe0ecbccdf0045615da4af11d1d38cc664936a2d0efa05046b6df4cb0', 'ip_address:eff0ad9f98b40693a2398845b935b59c0ddb3ede441cfb8cf3d8dee9675b1128', 'ip_address:fbcccdecac5558fd27524827a2a85bbf3555acced9c944b471729747c85094f0', 'ip_address:fda571205baed9625f1ceb9ae76e086e7809b1d67a8a408063ab3eba932bfeab', 'ip_address:feffe48c1721c65a076d3e9f642bb29650b87186f6412eb30689c8700e0a4f22', 'ip_address:ff3332aeb11247de601d3162362b82ed2347b1fd164f217a097759abb81c922b'], subject_id) AND occurred_us >= f AND occurred_us < t,
                  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40], [1704348000000000, 1704297600000000, 1704103200000000, 1704261600000000, 1704124800000000, 1704283200000000, 1704290400000000, 1704153600000000, 1704240000000000, 1704110400000000, 1704254400000000, 1704326400000000, 1704088800000000, 1704081600000000, 1704074400000000, 1704175200000000, 1704218400000000, 1704146400000000, 1704340800000000, 1704276000000000, 1704117600000000, 1704304800000000, 1704211200000000, 1704204000000000, 1704196800000000, 1704182400000000, 1704312000000000, 1704160800000000, 1704067200000000, 1704268800000000, 1704132000000000, 1704139200000000, 1704225600000000, 1704189600000000, 1704333600000000, 1704232800000000, 1704247200000000, 1704096000000000, 1704168000000000, 1704319200000000], [1704351600000000, 1704301200000000, 1704106800000000, 1704265200000000, 1704128400000000, 1704286800000000, 1704294000000000, 1704157200000000, 1704243600000000, 1704114000000000, 1704258000000000, 1704330000000000, 1704092400000000, 1704085200000000, 1704078000000000, 1704178800000000, 1704222000000000, 1704150000000000, 1704344400000000, 1704279600000000, 1704121200000000, 1704308400000000, 1704214800000000, 1704207600000000, 1704200400000000, 1704186000000000, 1704315600000000, 1704164400000000, 1704070800000000, 1704272400000000, 1704135600000000, 1704142800000000, 1704229200000000, 1704193200000000, 1704337200000000, 1704236400000000, 1704250800000000, 1704099600000000, 1704171600000000, 1704322800000000])
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 200001;

-- holders
-- Who held one identifier, and when: the links to it as they stand, oldest
-- first. An access responder finds the customer by what a person presents
-- (a phone number, a contract number, a personal code) and chooses among
-- the holders by period. Each source's statements are decided on their own,
-- as in links.sql (the latest per source, a retraction withdrawing only its
-- source's statement); a link that two sources state is one holding, held
-- until the later of their ends. Read through
-- identity_links_by_identifier_v2, ordered by identifier.
SELECT subject_id, valid_from_us, max(stated_to_us) AS valid_to_us
FROM
(
    SELECT
        subject_id,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS stated_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE id_kind = 'msisdn' AND id_hmac = '493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269'
    GROUP BY subject_id, valid_from_us, source_system
)
WHERE is_retracted = 0
GROUP BY subject_id, valid_from_us
ORDER BY valid_from_us, subject_id;

-- request_events
-- The events of one access request, each event id once (copies of a
-- retried event are alike but for where Kafka had them). Go folds them in
-- its own order (pkg/accessrequest.Fold); this order only makes answers
-- repeatable.
SELECT
    request_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    channel,
    subject_id,
    identity_method,
    extension_months,
    subject_told_us,
    reason,
    report_hash,
    report_format,
    report_language,
    delivery_channel
FROM access_request_events
WHERE request_id = 'AR-2026-OPEN0001'
ORDER BY event_id, kafka_offset
LIMIT 1 BY event_id;

-- open_requests
-- The events of every access request not closed: no answered or refused
-- event among its own. Each event id once; sorted by request so Go groups
-- them in one pass. Requests are few (a few a day, open for weeks at most)
-- and the inner query reads two short columns of the whole table.
SELECT
    request_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    channel,
    subject_id,
    identity_method,
    extension_months,
    subject_told_us,
    reason,
    report_hash,
    report_format,
    report_language,
    delivery_channel
FROM access_request_events
WHERE request_id NOT IN
(
    SELECT request_id
    FROM access_request_events
    WHERE event_type IN ('answered', 'refused')
)
ORDER BY request_id, event_id, kafka_offset
LIMIT 1 BY request_id, event_id;

-- unresolved
-- Events stored under an identifier that are in nobody's answer, per kind:
-- unresolved when no current link covers them at their occurred_us,
-- contested when links of two or more customers do (each customer's lookup
-- leaves them out). The links are each source's latest statements, less
-- retractions, as in links.sql; a customer two sources link counts once.
-- Identifier keys start with a lower-case kind; customer ids start with an
-- upper-case C, so subject_id >= 'a' selects exactly the identified
-- events. A copy of an event counts once (uniqExact).
SELECT
    splitByChar(':', subject_id)[1] AS id_kind,
    uniqExactIf(event_id, holders = 0) AS unresolved,
    uniqExactIf(event_id, holders > 1) AS contested,
    min(occurred_us) AS oldest_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        arrayReduce('uniqExact', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM lineage_events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_v2
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
    WHERE subject_id >= 'a'
)
WHERE holders != 1
GROUP BY id_kind
ORDER BY id_kind;

-- exposure
-- How far a breach reaches: over the party's events in the window
-- (exposed.sql, which Go puts in the FROM), one row per data category with
-- the customers it covers, and one row with the empty category for the
-- whole (arrayPushFront gives every event that row), which alone counts
-- events: counting them per category too cost as much again. Copies of an
-- event count once (uniqExact of ids). Events under an identifier that no
-- one or several held at the time are counted, with their identifiers, and
-- are in no customer's count. Restricted: events whose restriction has not
-- lapsed at @now_us, which the letters must not reveal. The name is a
-- recipient's on its latest event (meaningless for a source system).
SELECT
    category,
    uniqExactIf(holder, holder != '') AS subjects,
    uniqExactIf(event_id, category = '') AS events,
    uniqExactIf(event_id, category = '' AND resolution = 'unresolved') AS unresolved_events,
    uniqExactIf(event_id, category = '' AND resolution = 'contested') AS contested_events,
    uniqExactIf(subject_id, category = '' AND holder = '') AS unresolved_identifiers,
    uniqExactIf(event_id, category = '' AND restriction_review_us > 1767225600000000) AS restricted_events,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
-- The events of one party in a window, each with the customer it concerns:
-- the inner query of exposure.sql and exposed_subjects.sql, which Go wraps
-- (chstore/exposure.go). The scope marker is the party's rows: a recipient's in
-- lineage_disclosures, ordered by recipient, or a source system's in
-- lineage_events, which a window bounds to its yearly partitions.
--
-- An event stored under a customer id is that customer's. One stored under
-- an identifier ("kind:hmac", subject_id >= 'a') is resolved through the
-- identity links as they stand (each source's latest statement, retracted
-- left out) to the holders whose link covers its time, as unresolved.sql
-- does, a customer linked by two sources being one holder: exactly
-- one holder resolves it, none leaves it unresolved, several contested.
-- Neither of the last two is anyone's: a subject lookup leaves them out
-- too, and the exposure counts them apart. Only the identifiers this party
-- has events under are joined.
SELECT
    if(subject_id < 'a', subject_id, if(length(holders) = 1, holders[1], '')) AS holder,
    multiIf(subject_id < 'a', 'customer', length(holders) = 1, 'resolved', length(holders) = 0, 'unresolved', 'contested') AS resolution,
    subject_id,
    event_id,
    occurred_us,
    recipient_name,
    data_categories,
    restriction_review_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        recipient_name,
        data_categories,
        restriction_review_us,
        arrayReduce('groupUniqArray', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM
    (
        SELECT subject_id, event_id, occurred_us, recipient_name, data_categories, restriction_review_us
        FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
          AND occurred_us >= 0 AND occurred_us < 9223372036854775807
          /*after*/
    ) AS events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_by_identifier_v2
            WHERE (id_kind, id_hmac) IN
            (
                SELECT splitByChar(':', subject_id)[1], splitByChar(':', subject_id)[2]
                FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
                  AND subject_id >= 'a' AND occurred_us >= 0 AND occurred_us < 9223372036854775807
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)

)
ARRAY JOIN arrayPushFront(data_categories, '') AS category
GROUP BY category
ORDER BY category;

-- exposure_source
-- How far a breach reaches: over the party's events in the window
-- (exposed.sql, which Go puts in the FROM), one row per data category with
-- the customers it covers, and one row with the empty category for the
-- whole (arrayPushFront gives every event that row), which alone counts
-- events: counting them per category too cost as much again. Copies of an
-- event count once (uniqExact of ids). Events under an identifier that no
-- one or several held at the time are counted, with their identifiers, and
-- are in no customer's count. Restricted: events whose restriction has not
-- lapsed at @now_us, which the letters must not reveal. The name is a
-- recipient's on its latest event (meaningless for a source system).
SELECT
    category,
    uniqExactIf(holder, holder != '') AS subjects,
    uniqExactIf(event_id, category = '') AS events,
    uniqExactIf(event_id, category = '' AND resolution = 'unresolved') AS unresolved_events,
    uniqExactIf(event_id, category = '' AND resolution = 'contested') AS contested_events,
    uniqExactIf(subject_id, category = '' AND holder = '') AS unresolved_identifiers,
    uniqExactIf(event_id, category = '' AND restriction_review_us > 1767225600000000) AS restricted_events,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
-- The events of one party in a window, each with the customer it concerns:
-- the inner query of exposure.sql and exposed_subjects.sql, which Go wraps
-- (chstore/exposure.go). The scope marker is the party's rows: a recipient's in
-- lineage_disclosures, ordered by recipient, or a source system's in
-- lineage_events, which a window bounds to its yearly partitions.
--
-- An event stored under a customer id is that customer's. One stored under
-- an identifier ("kind:hmac", subject_id >= 'a') is resolved through the
-- identity links as they stand (each source's latest statement, retracted
-- left out) to the holders whose link covers its time, as unresolved.sql
-- does, a customer linked by two sources being one holder: exactly
-- one holder resolves it, none leaves it unresolved, several contested.
-- Neither of the last two is anyone's: a subject lookup leaves them out
-- too, and the exposure counts them apart. Only the identifiers this party
-- has events under are joined.
SELECT
    if(subject_id < 'a', subject_id, if(length(holders) = 1, holders[1], '')) AS holder,
    multiIf(subject_id < 'a', 'customer', length(holders) = 1, 'resolved', length(holders) = 0, 'unresolved', 'contested') AS resolution,
    subject_id,
    event_id,
    occurred_us,
    recipient_name,
    data_categories,
    restriction_review_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        recipient_name,
        data_categories,
        restriction_review_us,
        arrayReduce('groupUniqArray', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM
    (
        SELECT subject_id, event_id, occurred_us, recipient_name, data_categories, restriction_review_us
        FROM lineage_events WHERE source_system = 'crm'
          AND occurred_us >= 0 AND occurred_us < 9223372036854775807
          /*after*/
    ) AS events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_by_identifier_v2
            WHERE (id_kind, id_hmac) IN
            (
                SELECT splitByChar(':', subject_id)[1], splitByChar(':', subject_id)[2]
                FROM lineage_events WHERE source_system = 'crm'
                  AND subject_id >= 'a' AND occurred_us >= 0 AND occurred_us < 9223372036854775807
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)

)
ARRAY JOIN arrayPushFront(data_categories, '') AS category
GROUP BY category
ORDER BY category;

-- exposed_subjects
-- The customers of one page of an exposure, by customer id after @after:
-- their ids only, since the aggregates of exposed_subjects.sql over every
-- customer of a large exposure cost several times this (exposed.sql, which
-- Go puts in the FROM). ClickHouse 18.16 prunes the inner query's columns
-- to those the outer one reads, and then fails on the ones the join's
-- lambda needs, hence min(occurred_us).
SELECT holder, min(occurred_us) AS first_us
FROM
(
-- The events of one party in a window, each with the customer it concerns:
-- the inner query of exposure.sql and exposed_subjects.sql, which Go wraps
-- (chstore/exposure.go). The scope marker is the party's rows: a recipient's in
-- lineage_disclosures, ordered by recipient, or a source system's in
-- lineage_events, which a window bounds to its yearly partitions.
--
-- An event stored under a customer id is that customer's. One stored under
-- an identifier ("kind:hmac", subject_id >= 'a') is resolved through the
-- identity links as they stand (each source's latest statement, retracted
-- left out) to the holders whose link covers its time, as unresolved.sql
-- does, a customer linked by two sources being one holder: exactly
-- one holder resolves it, none leaves it unresolved, several contested.
-- Neither of the last two is anyone's: a subject lookup leaves them out
-- too, and the exposure counts them apart. Only the identifiers this party
-- has events under are joined.
SELECT
    if(subject_id < 'a', subject_id, if(length(holders) = 1, holders[1], '')) AS holder,
    multiIf(subject_id < 'a', 'customer', length(holders) = 1, 'resolved', length(holders) = 0, 'unresolved', 'contested') AS resolution,
    subject_id,
    event_id,
    occurred_us,
    recipient_name,
    data_categories,
    restriction_review_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        recipient_name,
        data_categories,
        restriction_review_us,
        arrayReduce('groupUniqArray', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM
    (
        SELECT subject_id, event_id, occurred_us, recipient_name, data_categories, restriction_review_us
        FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
          AND occurred_us >= 0 AND occurred_us < 9223372036854775807
          AND (subject_id > '' OR subject_id >= 'a')
    ) AS events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_by_identifier_v2
            WHERE (id_kind, id_hmac) IN
            (
                SELECT splitByChar(':', subject_id)[1], splitByChar(':', subject_id)[2]
                FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
                  AND subject_id >= 'a' AND occurred_us >= 0 AND occurred_us < 9223372036854775807
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)

)
WHERE holder != '' AND holder > ''
GROUP BY holder
ORDER BY holder
LIMIT 5;

-- exposed_subjects_2
-- The lines of the customers a breach reaches: those of a page
-- (exposed_page.sql), or one customer's (exposed.sql, which Go puts in the
-- FROM; Go puts the page's range of customer ids, or the customer, in
-- place of the holder marker and in the inner query too, where the key can
-- use them). Per customer: the first and last event, every category, the
-- events (copies once), and what a letter may say now: the categories of events not restricted at @now_us, and the
-- latest review date of those that are; a recipient's name on the
-- customer's latest event (meaningless for a source system).
SELECT
    holder,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    uniqExact(event_id) AS events,
    arraySort(groupUniqArrayArrayIf(data_categories, restriction_review_us <= 1767225600000000)) AS notifiable,
    maxIf(restriction_review_us, restriction_review_us > 1767225600000000) AS review_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
-- The events of one party in a window, each with the customer it concerns:
-- the inner query of exposure.sql and exposed_subjects.sql, which Go wraps
-- (chstore/exposure.go). The scope marker is the party's rows: a recipient's in
-- lineage_disclosures, ordered by recipient, or a source system's in
-- lineage_events, which a window bounds to its yearly partitions.
--
-- An event stored under a customer id is that customer's. One stored under
-- an identifier ("kind:hmac", subject_id >= 'a') is resolved through the
-- identity links as they stand (each source's latest statement, retracted
-- left out) to the holders whose link covers its time, as unresolved.sql
-- does, a customer linked by two sources being one holder: exactly
-- one holder resolves it, none leaves it unresolved, several contested.
-- Neither of the last two is anyone's: a subject lookup leaves them out
-- too, and the exposure counts them apart. Only the identifiers this party
-- has events under are joined.
SELECT
    if(subject_id < 'a', subject_id, if(length(holders) = 1, holders[1], '')) AS holder,
    multiIf(subject_id < 'a', 'customer', length(holders) = 1, 'resolved', length(holders) = 0, 'unresolved', 'contested') AS resolution,
    subject_id,
    event_id,
    occurred_us,
    recipient_name,
    data_categories,
    restriction_review_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        recipient_name,
        data_categories,
        restriction_review_us,
        arrayReduce('groupUniqArray', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM
    (
        SELECT subject_id, event_id, occurred_us, recipient_name, data_categories, restriction_review_us
        FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
          AND occurred_us >= 0 AND occurred_us < 9223372036854775807
          AND ((subject_id >= 'C00000027' AND subject_id <= 'C00000579') OR subject_id >= 'a')
    ) AS events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_by_identifier_v2
            WHERE (id_kind, id_hmac) IN
            (
                SELECT splitByChar(':', subject_id)[1], splitByChar(':', subject_id)[2]
                FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
                  AND subject_id >= 'a' AND occurred_us >= 0 AND occurred_us < 9223372036854775807
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)

)
WHERE holder != '' AND holder >= 'C00000027' AND holder <= 'C00000579'
GROUP BY holder
ORDER BY holder;

-- exposed_subject
-- The lines of the customers a breach reaches: those of a page
-- (exposed_page.sql), or one customer's (exposed.sql, which Go puts in the
-- FROM; Go puts the page's range of customer ids, or the customer, in
-- place of the holder marker and in the inner query too, where the key can
-- use them). Per customer: the first and last event, every category, the
-- events (copies once), and what a letter may say now: the categories of events not restricted at @now_us, and the
-- latest review date of those that are; a recipient's name on the
-- customer's latest event (meaningless for a source system).
SELECT
    holder,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    uniqExact(event_id) AS events,
    arraySort(groupUniqArrayArrayIf(data_categories, restriction_review_us <= 1767225600000000)) AS notifiable,
    maxIf(restriction_review_us, restriction_review_us > 1767225600000000) AS review_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
-- The events of one party in a window, each with the customer it concerns:
-- the inner query of exposure.sql and exposed_subjects.sql, which Go wraps
-- (chstore/exposure.go). The scope marker is the party's rows: a recipient's in
-- lineage_disclosures, ordered by recipient, or a source system's in
-- lineage_events, which a window bounds to its yearly partitions.
--
-- An event stored under a customer id is that customer's. One stored under
-- an identifier ("kind:hmac", subject_id >= 'a') is resolved through the
-- identity links as they stand (each source's latest statement, retracted
-- left out) to the holders whose link covers its time, as unresolved.sql
-- does, a customer linked by two sources being one holder: exactly
-- one holder resolves it, none leaves it unresolved, several contested.
-- Neither of the last two is anyone's: a subject lookup leaves them out
-- too, and the exposure counts them apart. Only the identifiers this party
-- has events under are joined.
SELECT
    if(subject_id < 'a', subject_id, if(length(holders) = 1, holders[1], '')) AS holder,
    multiIf(subject_id < 'a', 'customer', length(holders) = 1, 'resolved', length(holders) = 0, 'unresolved', 'contested') AS resolution,
    subject_id,
    event_id,
    occurred_us,
    recipient_name,
    data_categories,
    restriction_review_us
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        recipient_name,
        data_categories,
        restriction_review_us,
        arrayReduce('groupUniqArray', arrayFilter((h, f, t) -> occurred_us >= f AND occurred_us < t, holder_ids, froms, tos)) AS holders
    FROM
    (
        SELECT subject_id, event_id, occurred_us, recipient_name, data_categories, restriction_review_us
        FROM lineage_disclosures WHERE recipient_id = 'rcp-state-police'
          AND occurred_us >= 0 AND occurred_us < 9223372036854775807
          AND (subject_id = 'C09999999' OR subject_id >= 'a')
    ) AS events
    ANY LEFT JOIN
    (
        SELECT
            concat(id_kind, ':', id_hmac) AS subject_id,
            groupArray(holder) AS holder_ids,
            groupArray(valid_from_us) AS froms,
            groupArray(valid_to_us) AS tos
        FROM
        (
            SELECT
                subject_id AS holder,
                id_kind,
                id_hmac,
                valid_from_us,
                argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
                argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
            FROM identity_links_by_identifier_v2
            WHERE (id_kind, id_hmac) IN
            (
                SELECT splitByChar(':', subject_id)[1], splitByChar(':', subject_id)[2]
                FROM lineage_disclosures WHERE recipient_id = 'rcp-state-police'
                  AND subject_id >= 'a' AND occurred_us >= 0 AND occurred_us < 9223372036854775807
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)

)
WHERE holder != '' AND holder = 'C09999999'
GROUP BY holder
ORDER BY holder;

-- flows
-- Every flow the events show, for the comparison with the declared record
-- of processing (GDPR Art. 30): one row per source system, purpose, legal
-- basis, recipient (empty for accesses), recipient category, country and
-- transfer mechanism, with its events and its first and last time.
-- Restricted events count: the DPO asks. It reads the whole table (about
-- 2 s for 12,000,000 rows on the bench box), so the API keeps the answer for
-- a while. Events are counted with uniq: exact up to 65,536 distinct ids per
-- flow, within about 1 % beyond, and copies of a retried event count once.
SELECT
    source_system, purpose, legal_basis, recipient_id, recipient_category,
    recipient_country, transfer_mechanism,
    uniq(event_id) AS events,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us
FROM lineage_events
GROUP BY source_system, purpose, legal_basis, recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY source_system, purpose, legal_basis, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- retention
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- retention_2
-- One subject's events in [from, to), each once, with what pkg/retention
-- judges them by: the categories and the attributes retention_from and
-- retention_rule (empty when absent: an index of 0 gives the empty
-- string). The subject's events include those stored under its
-- identifiers, inner and outer query as in recipients.sql. Restricted
-- disclosures are included: the question is what the operator held, not
-- what the subject may be told. A row more than the limit says the range
-- holds too many.
SELECT event_id, occurred_us, data_categories, retention_from, retention_rule
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        data_categories,
        attr_values[indexOf(attr_keys, 'retention_from')] AS retention_from,
        attr_values[indexOf(attr_keys, 'retention_rule')] AS retention_rule
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
)

ORDER BY occurred_us, event_id
LIMIT 1 BY event_id
LIMIT 200001;

-- retention_past
-- The events in [from, to) of every subject that happened after the
-- retention period of a rule governing one of their categories, grouped
-- per subject (by subject id, after @after, the first @limit): the DPO's
-- list of data held past a deadline or a minimum. Go judges each event
-- again (pkg/retention) and gives the lines: this query only picks the
-- events, by the same rules, so that a window of millions of dated
-- invoices sends only the few that are past.
--
-- Only events that name retention_from. An event's rules are its
-- retention_rule when that is a known code, else its categories' default
-- rules (@categories → @category_rules); a rule's period is
-- @rule_months[i] calendar months and @rule_days[i] days (0 and 0: no
-- period). addMonths ends a month-end period on the last day of a shorter
-- month, as pkg/retention does, and the period's last day is still inside
-- it. A retention_from that is no date (toDateOrZero gives day 0; only an
-- event stored before the attribute had a meaning can carry one) is left
-- out, as Go leaves it undated. The lambdas are outside the table's own
-- WHERE, which 18.16 refuses them in. Each event id once.
--
-- subject_id is as stored: a customer id, or an identifier's key
-- (kind:hmac), not resolved here. GROUP BY holds every past event of the
-- window before the page is cut: the answer's size over all pages.
SELECT
    subject_id,
    groupArray(event_id) AS event_ids,
    groupArray(occurred_us) AS occurred,
    groupArray(data_categories) AS categories,
    groupArray(retention_from) AS froms,
    groupArray(retention_rule) AS rules
FROM
(
    SELECT subject_id, event_id, occurred_us, data_categories, retention_from, retention_rule
    FROM
    (
        SELECT
            subject_id,
            event_id,
            occurred_us,
            data_categories,
            retention_from,
            retention_rule,
            toDateOrZero(retention_from) AS from_day,
            if(has(['contract_term', 'legitimate_interest_claims', 'accounting_5y', 'audit_1y', 'audit_high_security_18m', 'recordings_6m', 'prepaid_2y', 'consent_storage'], retention_rule), [retention_rule],
               arrayMap(c -> ['legitimate_interest_claims', 'contract_term', 'contract_term', 'contract_term', 'legitimate_interest_claims', 'contract_term', 'contract_term', 'contract_term', 'contract_term', 'legitimate_interest_claims', 'legitimate_interest_claims', 'contract_term', 'recordings_6m', 'accounting_5y', 'accounting_5y', 'accounting_5y', 'contract_term', 'accounting_5y', 'legitimate_interest_claims', 'contract_term', 'legitimate_interest_claims', 'contract_term', 'audit_1y', 'legitimate_interest_claims', 'legitimate_interest_claims', 'recordings_6m', 'contract_term', 'legitimate_interest_claims', 'contract_term', 'contract_term', 'legitimate_interest_claims', 'contract_term'][indexOf(['identification', 'contact', 'special', 'contact_persons', 'customer', 'self_service', 'customer_analytics', 'service', 'terminal_equipment', 'service_contract', 'transaction', 'crm_activity', 'communication', 'goods_purchase', 'service_purchase', 'instalment_purchase', 'solvency_check', 'billing', 'service_usage', 'faults', 'complaints', 'surveys', 'website_activity', 'photos', 'video', 'call_recordings', 'system_access', 'consents', 'location', 'network_info', 'traffic_data', 'tv_usage'], c)], data_categories)) AS governing
        FROM
        (
            SELECT
                subject_id,
                event_id,
                occurred_us,
                data_categories,
                attr_values[indexOf(attr_keys, 'retention_from')] AS retention_from,
                attr_values[indexOf(attr_keys, 'retention_rule')] AS retention_rule
            FROM lineage_events
            WHERE occurred_us >= 1735689600000000 AND occurred_us < 1767225600000000
              AND subject_id > ''
              AND has(attr_keys, 'retention_from')
        )
    )
    WHERE toUInt16(from_day) > 0
      AND arrayExists(r -> ([0, 0, 60, 12, 18, 6, 24, 0][indexOf(['contract_term', 'legitimate_interest_claims', 'accounting_5y', 'audit_1y', 'audit_high_security_18m', 'recordings_6m', 'prepaid_2y', 'consent_storage'], r)] > 0 OR [0, 0, 0, 0, 0, 0, 0, 0][indexOf(['contract_term', 'legitimate_interest_claims', 'accounting_5y', 'audit_1y', 'audit_high_security_18m', 'recordings_6m', 'prepaid_2y', 'consent_storage'], r)] > 0)
                       AND intDiv(occurred_us, 86400000000) > toUInt16(addDays(addMonths(from_day, [0, 0, 60, 12, 18, 6, 24, 0][indexOf(['contract_term', 'legitimate_interest_claims', 'accounting_5y', 'audit_1y', 'audit_high_security_18m', 'recordings_6m', 'prepaid_2y', 'consent_storage'], r)]),
                                                                                [0, 0, 0, 0, 0, 0, 0, 0][indexOf(['contract_term', 'legitimate_interest_claims', 'accounting_5y', 'audit_1y', 'audit_high_security_18m', 'recordings_6m', 'prepaid_2y', 'consent_storage'], r)])),
                      governing)
    LIMIT 1 BY event_id
)
GROUP BY subject_id
ORDER BY subject_id
LIMIT 5;

-- subject_facts
-- The facts of one subject, each fact id once (copies of a retried fact
-- are alike but for where Kafka had them). Go orders and folds them
-- (pkg/subjectfact); this order only makes answers repeatable.
SELECT
    subject_id,
    fact_id,
    fact_type,
    at_us,
    recorded_us,
    source_system,
    actor,
    purpose,
    channel,
    recipient_id,
    reference,
    reason
FROM subject_facts
WHERE subject_id = 'C00511896'
ORDER BY fact_id, kafka_offset
LIMIT 1 BY fact_id;

-- consent_flags
-- The events in [from, to) of every subject who withdrew a consent or
-- opted out that rely on consent or are commercial messages: the events
-- pkg/subjectfact.Flags judges. subject_id leads the sorting key, so the
-- IN list reads only those subjects' granules. Each event id once; a
-- row more than the limit says the window holds too many.
SELECT
    subject_id,
    event_id,
    kind,
    occurred_us,
    purpose,
    legal_basis
FROM lineage_events
WHERE subject_id IN
(
    SELECT subject_id
    FROM subject_facts
    WHERE fact_type IN ('consent_withdrawn', 'opted_out')
)
    AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000
    AND (legal_basis = 'consent' OR purpose = 'commercial_communication')
ORDER BY subject_id, event_id
LIMIT 1 BY subject_id, event_id
LIMIT 1000001;

-- consent_flags_2
-- The facts of every subject who withdrew a consent or opted out: the
-- subjects whose later events may be flagged. Facts are few, and the
-- inner query reads two short columns of the whole table.
SELECT
    subject_id,
    fact_id,
    fact_type,
    at_us,
    recorded_us,
    source_system,
    actor,
    purpose,
    channel,
    recipient_id,
    reference,
    reason
FROM subject_facts
WHERE subject_id IN
(
    SELECT subject_id
    FROM subject_facts
    WHERE fact_type IN ('consent_withdrawn', 'opted_out')
)
ORDER BY subject_id, fact_id, kafka_offset
LIMIT 1 BY subject_id, fact_id;

-- erasures
-- The subjects who asked for erasure, with their latest request: the
-- erasures to follow up. Each subject once.
SELECT
    subject_id,
    max(at_us) AS requested_us
FROM subject_facts
WHERE fact_type = 'erasure_requested'
GROUP BY subject_id
ORDER BY requested_us DESC, subject_id
LIMIT 10;

-- incident_events
-- The events of one incident, each event id once (copies of a retried
-- event are alike but for where Kafka had them). Go folds them in its own
-- order (pkg/incident.Fold); this order only makes answers repeatable.
SELECT
    incident_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    party_kind,
    party,
    window_from_us,
    window_to_us,
    nature,
    subjects,
    events,
    approximate,
    authority,
    reference,
    reason
FROM incident_events
WHERE incident_id = 'IN-2025-OPEN00000001'
ORDER BY event_id, kafka_offset
LIMIT 1 BY event_id;

-- open_incidents
-- The events of every incident not closed, each event id once, sorted by
-- incident so Go groups them in one pass. Incidents are rare; the inner
-- query reads two short columns of the whole table.
SELECT
    incident_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    party_kind,
    party,
    window_from_us,
    window_to_us,
    nature,
    subjects,
    events,
    approximate,
    authority,
    reference,
    reason
FROM incident_events
WHERE incident_id NOT IN
(
    SELECT incident_id
    FROM incident_events
    WHERE event_type = 'closed'
)
ORDER BY incident_id, event_id, kafka_offset
LIMIT 1 BY incident_id, event_id;

-- exposure_estimate
-- A first estimate of an exposure, in one pass over the party's rows and
-- without the identity links: an approximate distinct count (uniq) of the
-- subject keys, each identifier counted as a subject of its own, and every
-- stored copy of an event counted. It is what the DPO has within seconds
-- of opening an incident; exposure.sql gives the exact count after it.
-- Go puts the party's rows (a fixed string) where the scope marker is.
SELECT
    uniq(subject_id) AS subjects,
    count() AS events
FROM lineage_disclosures WHERE recipient_id = 'rcp-7'
  AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000;

-- exposure_estimate_source
-- A first estimate of an exposure, in one pass over the party's rows and
-- without the identity links: an approximate distinct count (uniq) of the
-- subject keys, each identifier counted as a subject of its own, and every
-- stored copy of an event counted. It is what the DPO has within seconds
-- of opening an incident; exposure.sql gives the exact count after it.
-- Go puts the party's rows (a fixed string) where the scope marker is.
SELECT
    uniq(subject_id) AS subjects,
    count() AS events
FROM lineage_events WHERE source_system = 'crm'
  AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000;

-- retained_statistics
-- The authorities' requests for retained data answered in [from, to): the
-- CDR disclosures (a transfer from @source for @purpose that includes
-- @category, to a recipient), grouped by request. A request is the
-- authority's reference (@attr_ref) at that authority, since numbers are
-- each authority's own; a disclosure without one is a request of its own,
-- keyed by its event id. Copies of a retried event share every column and
-- so their group; uniqExact counts the event once. Per request: the
-- authority's name on its latest event, its first and last disclosure in
-- the range, the oldest day of retained data given (@attr_from, a
-- YYYY-MM-DD that sorts as it reads; empty when no disclosure names it),
-- the events, and the subjects as stored (a customer id or an identifier's
-- key). The year's partitions are read whole: the table is ordered by
-- subject, and this is a yearly question.
SELECT
    recipient_id,
    argMax(recipient_name, (occurred_us, event_id)) AS authority,
    request_ref,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    minIf(retention_from, retention_from != '') AS oldest_from,
    uniqExact(event_id) AS disclosures,
    arraySort(groupUniqArray(subject_id)) AS subjects
FROM
(
    SELECT
        recipient_id,
        recipient_name,
        occurred_us,
        event_id,
        subject_id,
        attr_values[indexOf(attr_keys, 'request_ref')] AS request_ref,
        attr_values[indexOf(attr_keys, 'retention_from')] AS retention_from,
        if(request_ref = '', event_id, '') AS lone
    FROM lineage_events
    WHERE occurred_us >= 1704067200000000 AND occurred_us < 1735689600000000
      AND source_system = 'cdr_mediation'
      AND kind = 'transfer'
      AND purpose = 'legal_obligation'
      AND has(data_categories, 'traffic_data')
      AND recipient_id != ''
)
GROUP BY recipient_id, request_ref, lone
ORDER BY recipient_id, request_ref, lone;

-- retained_statistics_2
-- The authorities' requests for retained data that could not be met, by
-- when they were received, in [from, to): per authority, each fact id
-- once (copies of a retried fact share it).
SELECT
    recipient_id,
    uniqExact(fact_id) AS unmet
FROM subject_facts
WHERE fact_type = 'lawful_request_unmet'
  AND at_us >= 1704067200000000 AND at_us < 1735689600000000
GROUP BY recipient_id
ORDER BY recipient_id;

-- settle_changed
-- The days to settle: the stored rows of each day (lineage_day_rows, fed
-- as rows are inserted) beside the stored rows it had when last settled
-- (lineage_settled_days, 0 when never), where the two differ. Days in
-- order, as text (YYYY-MM-DD).
SELECT toString(day) AS day_text, stored, settled
FROM
(
    SELECT day, sum(stored) AS stored
    FROM lineage_day_rows
    GROUP BY day
) AS now_stored
ANY LEFT JOIN
(
    SELECT day, argMax(stored, run) AS settled
    FROM lineage_settled_days
    GROUP BY day
) AS last_settled USING (day)
WHERE stored != settled
ORDER BY day;

-- settle
-- Settles the category rollup for the days of settle_flows.sql: each
-- event once under each of its categories, less what
-- lineage_daily_categories holds, inserted where they differ.
INSERT INTO lineage_daily_categories (day, source_system, recipient_id, category, events)
SELECT day, source_system, recipient_id, category, sum(events) AS difference
FROM
(
    SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id, category,
        toInt64(count()) AS events
    FROM
    (
        SELECT subject_id, occurred_us, event_id, source_system, recipient_id, data_categories
        FROM lineage_events
        PREWHERE occurred_us >= 946684800000000 AND occurred_us < 4102444800000000
        LIMIT 1 BY subject_id, occurred_us, event_id
    )
    ARRAY JOIN data_categories AS category
    GROUP BY day, source_system, recipient_id, category
    UNION ALL
    SELECT day, source_system, recipient_id, category, -sum(events)
    FROM lineage_daily_categories
    WHERE day >= toDate('2000-01-01') AND day < toDate('2100-01-01')
    GROUP BY day, source_system, recipient_id, category
)
GROUP BY day, source_system, recipient_id, category
HAVING difference != 0;

-- settle
-- Settles the flow rollup for the UTC days [@from_day, @to_day) (whose
-- microsecond bounds are [@from_us, @to_us)): the events of those days per
-- day and flow, each event once (LIMIT 1 BY the key its stored copies
-- share), less what lineage_daily holds for them, inserted where they
-- differ (migrations/0011).
INSERT INTO lineage_daily (day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS difference
FROM
(
    SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, kind, recipient_id,
        recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name,
        toInt64(count()) AS events
    FROM
    (
        SELECT subject_id, occurred_us, event_id, source_system, kind, recipient_id, recipient_category,
            recipient_country, transfer_mechanism, legal_basis, purpose, recipient_name
        FROM lineage_events
        PREWHERE occurred_us >= 946684800000000 AND occurred_us < 4102444800000000
        LIMIT 1 BY subject_id, occurred_us, event_id
    )
    GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
    UNION ALL
    SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, -sum(events)
    FROM lineage_daily
    WHERE day >= toDate('2000-01-01') AND day < toDate('2100-01-01')
    GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
)
GROUP BY day, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name
HAVING difference != 0;

-- settle
-- Settles the monthly rollup for the months [@from_month, @to_month) from
-- the settled daily one: lineage_daily's flows by month less what
-- lineage_monthly holds, inserted where they differ (migrations/0011).
INSERT INTO lineage_monthly (month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, events)
SELECT month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS difference
FROM
(
    SELECT toStartOfMonth(day) AS month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, sum(events) AS events
    FROM lineage_daily
    WHERE day >= toDate('2000-01-01') AND day < toDate('2100-01-01')
    GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
    UNION ALL
    SELECT month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, -sum(events)
    FROM lineage_monthly
    WHERE month >= toDate('2000-01-01') AND month < toDate('2100-01-01')
    GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name
)
GROUP BY month, source_system, kind, recipient_id, recipient_category, recipient_country,
    transfer_mechanism, legal_basis, purpose, recipient_name
HAVING difference != 0;

-- settle
-- Settles the subject rollup for the days of settle_flows.sql: the states
-- of the days' subject keys per source system and recipient. A state
-- merged with one of the same keys is unchanged, so these are added as
-- they are: copies of an event, or a day settled again, change no count.
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id,
    uniqHLL12State(subject_id)
FROM lineage_events
PREWHERE occurred_us >= 946684800000000 AND occurred_us < 4102444800000000
GROUP BY day, source_system, recipient_id;

-- settle
-- Settles the subject rollup's states under recipient '*' (all of a day's
-- rows of a source system) for the days of settle_flows.sql, merged from
-- the recipients' states settle_subjects.sql has just added: a merge of
-- states is the state of the union, and the rollup is read instead of the
-- events a second time.
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT day, source_system, '*', uniqHLL12MergeState(subjects)
FROM lineage_daily_subjects
WHERE day >= toDate('2000-01-01') AND day < toDate('2100-01-01') AND recipient_id != '*'
GROUP BY day, source_system;

-- overview_flows
-- The DPO's overview: the events of [@from_day, @to_day) per flow
-- (source system, kind, recipient with its category, country, mechanism
-- and latest name, legal basis, purpose), from the rollups
-- (migrations/0009, 0011): the monthly one for the whole months
-- [@from_month, @to_month) inside the window, the daily one for the days
-- before and after them (Go sets @from_month = @to_month = @to_day when
-- the window holds no whole month). Go adds the flows up into the
-- overview's breakdowns. An empty @recipient_id or @source_system leaves
-- that side open. The rollups are settled (0011): each event counts once,
-- as of the last settlement; a flow whose rows add up to nothing is left out.
SELECT
    source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism,
    legal_basis, purpose,
    argMax(recipient_name, day) AS latest_name,
    toUInt64(sum(events)) AS event_count
FROM
(
    SELECT month AS day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, events
    FROM lineage_monthly
    WHERE month >= toDate('2025-01-01') AND month < toDate('2026-01-01')
      AND ('' = '' OR recipient_id = '')
      AND ('' = '' OR source_system = '')
    UNION ALL
    SELECT day, source_system, kind, recipient_id, recipient_category, recipient_country,
        transfer_mechanism, legal_basis, purpose, recipient_name, events
    FROM lineage_daily
    WHERE (day >= toDate('2025-01-01') AND day < toDate('2025-01-01') OR day >= toDate('2026-01-01') AND day < toDate('2026-01-01'))
      AND ('' = '' OR recipient_id = '')
      AND ('' = '' OR source_system = '')
)
GROUP BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose
HAVING sum(events) > 0
ORDER BY source_system, kind, recipient_id, recipient_category, recipient_country, transfer_mechanism, legal_basis, purpose;

-- overview_days
-- The overview's series: events per day and source system in
-- [@from_day, @to_day), from the daily rollup, filters as in
-- dashboard_flows.sql. The day as text, YYYY-MM-DD.
SELECT toString(day) AS day_text, source_system, toUInt64(sum(events)) AS event_count
FROM lineage_daily
WHERE day >= toDate('2025-01-01') AND day < toDate('2026-01-01')
  AND ('' = '' OR recipient_id = '')
  AND ('' = '' OR source_system = '')
GROUP BY day, source_system
HAVING sum(events) > 0
ORDER BY day_text, source_system;

-- overview_categories
-- The overview's data categories: events per category in
-- [@from_day, @to_day) (an event once under each of its categories), from
-- the category rollup, filters as in dashboard_flows.sql.
SELECT category, toUInt64(sum(events)) AS event_count
FROM lineage_daily_categories
WHERE day >= toDate('2025-01-01') AND day < toDate('2026-01-01')
  AND ('' = '' OR recipient_id = '')
  AND ('' = '' OR source_system = '')
GROUP BY category
HAVING sum(events) > 0
ORDER BY event_count DESC, category;

-- overview_subjects
-- The overview's subjects: an approximate distinct count (uniqHLL12, exact
-- up to 16, within about 2 % beyond) of the
-- subject keys of [@from_day, @to_day), merged from the daily states. A
-- customer and an identifier it held count as two. @party is the recipient
-- asked about, or '*' for the states of all of a day's rows.
SELECT uniqHLL12Merge(subjects)
FROM lineage_daily_subjects
WHERE day >= toDate('2025-01-01') AND day < toDate('2026-01-01')
  AND recipient_id = '*'
  AND ('' = '' OR source_system = '');

-- overview_recipient_times
-- The first and last disclosure to each recipient in [@from_us, @to_us),
-- to the microsecond (the rollup knows days only): the disclosures table
-- within the window's years, filters as in dashboard_flows.sql.
SELECT recipient_id, min(occurred_us) AS first_us, max(occurred_us) AS last_us
FROM lineage_disclosures
WHERE occurred_us >= 1735689600000000 AND occurred_us < 1767225600000000
  AND ('' = '' OR recipient_id = '')
  AND ('' = '' OR source_system = '')
GROUP BY recipient_id;

-- event_list
-- One page of the DPO's events list, newest first, keyset-paged on
-- (occurred_us, event_id) like a subject's timeline (events.sql), within
-- [@bound_us, @to_us) and, as a rule, of the subjects of the page's rows
-- that dashboard_events_bound.sql found (Go puts the condition in place of
-- the subjects comment): the primary key then reads those subjects'
-- granules alone. The time is in PREWHERE: without it 18.16 may pick
-- another column first and read every row of the window whole (1.8 s
-- instead of 0.13 s for a 30-day page of the benchmarks' store). LIMIT 1 BY event_id keeps one copy of a retried
-- event. Restricted disclosures are in: the list is the DPO's.
-- subject_id is as stored: a customer id or an identifier's key.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
    actor_employee, restriction_basis, restriction_review_us
FROM lineage_events
PREWHERE occurred_us >= 1767177281598169 AND occurred_us < 1767225600000000 AND occurred_us <= 9223372036854775807
WHERE (occurred_us, event_id) < (9223372036854775807, '')
  AND subject_id IN ('msisdn:a7085c7bceeada151d0ef81384e74d3bbbf0934783a6cb86cacffa7e49cbc10c', 'msisdn:cb368c6e930e782ecd7a4f4b6cfde3033f490d067864b045cecfe2c52e675b30', 'msisdn:bc29ca384dbceb2ee06731c5b55adfa8a9b9528db5ec3ce193eb9096522eb8dc', 'msisdn:ba85216dcac378fbdc96df5b416ca9e39f3f351ffefa1be945c960f68cc8fc89', 'msisdn:600fdcf1724854e6b5121103b1a8aaf1a46c3162f2061b4e86afc4d7bd43b3f0', 'msisdn:7259db2611f6918a031268b4d3f0c5936c32b459632bb83211993c0c6cdef3f1')
  AND recipient_id = 'rcp-state-police'
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 6;

-- event_list_2
-- The first step of a page of the DPO's events list: the subjects and
-- times of the page's rows, newest first, read from the narrow columns
-- only (the time, the subject and the filters' columns), so that the
-- second step (dashboard_events.sql) reads whole rows of those subjects
-- alone, through the primary key. The last time is the page's bound. occurred_us bounds the read to
-- the window's yearly partitions; the table is ordered by subject, so
-- within them every row's time is read (PREWHERE: first, and only that),
-- then the filters' columns of the rows in the window. Copies of an event
-- count here, which can only make the bound lower than needed. Go puts a
-- condition in place of the filters comment for each filter given.
SELECT subject_id, occurred_us
FROM lineage_events
PREWHERE occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000 AND occurred_us <= 9223372036854775807
WHERE 1 AND recipient_id = 'rcp-state-police'
ORDER BY occurred_us DESC
LIMIT 6;

-- lineage
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand. Each source's statements are decided on their own: the
-- latest statement of a link from one source (ties on recorded_us go to
-- the later Kafka offset; one identifier's statements share a partition),
-- left out when it is a retraction, which withdraws only that source's
-- statement. Then the sources are combined in Go (chstore/identity.go): a
-- customer's windows from any source are one holder's and are joined, and
-- the customer keeps them less the times another holder's link also covers,
-- whichever source stated either. The inner query finds the customer's
-- identifiers through identity_links_v2, ordered by customer; the outer one
-- their holders through identity_links_by_identifier_v2, ordered by
-- identifier.
SELECT subject_id, id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier_v2
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links_v2
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- lineage_2
-- A subject's data lineage: its events grouped by where the data came from
-- (the event attribute data_source, a §16 code; empty when not stated),
-- the operator's source system and the recipient (empty for accesses),
-- with what, why and when. The subject's events are those of
-- recipients.sql: its customer id and its identifiers inside the windows of
-- its links (Go fills in the comments, chstore/identity.go), restricted
-- disclosures left out until @visible_us as there. restricted says a row
-- holds a disclosure still restricted at @now_us (the DPO's view only). An
-- event is in one row, so Go may add rows' counts up; uniqExact counts a
-- retried event once.
SELECT
    data_source,
    source_system,
    recipient_id,
    argMax(recipient_name, (occurred_us, recorded_us, event_id)) AS latest_name,
    recipient_category,
    recipient_country,
    transfer_mechanism,
    max(restriction_review_us > 1767225600000000) AS restricted,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    arraySort(groupUniqArray(purpose)) AS purposes,
    arraySort(groupUniqArray(legal_basis)) AS legal_bases,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    uniqExact(event_id) AS event_count
FROM
(
    SELECT
        subject_id, occurred_us, recorded_us, event_id, source_system, recipient_id, recipient_name,
        recipient_category, recipient_country, transfer_mechanism, data_categories, purpose, legal_basis,
        restriction_review_us, attr_values[indexOf(attr_keys, 'data_source')] AS data_source
    FROM lineage_events
    WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
           
           OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
      AND restriction_review_us <= 1767225600000000
      AND ('' = '' OR has(data_categories, ''))
      AND ('' = '' OR purpose = '')
)

GROUP BY data_source, source_system, recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY data_source, source_system, recipient_id, recipient_category, recipient_country, transfer_mechanism;

