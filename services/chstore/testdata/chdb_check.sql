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
INSERT INTO identity_links (
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

-- migrations
SELECT version, arraySort(groupUniqArray(checksum)) FROM schema_migrations GROUP BY version;

-- recipients
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand: the latest statement of each link, retracted links left
-- out. Go keeps the customer's own windows less the times another holder's
-- link also covers (chstore/identity.go). Ties on recorded_us go to the
-- later Kafka offset (one identifier's statements share a partition). The
-- inner query finds the customer's identifiers through identity_links,
-- ordered by customer; the outer one their holders through
-- identity_links_by_identifier, ordered by identifier.
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
    FROM identity_links_by_identifier
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- recipients_2
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links; Go puts one condition per window in place of the
-- identifier windows comment (chstore/identity.go). Every aggregate gives the same answer whether an event is
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
WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
       
       OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
  AND kind IN ('transfer', 'processor_handoff')
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- recipients_bounded
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand: the latest statement of each link, retracted links left
-- out. Go keeps the customer's own windows less the times another holder's
-- link also covers (chstore/identity.go). Ties on recorded_us go to the
-- later Kafka offset (one identifier's statements share a partition). The
-- inner query finds the customer's identifiers through identity_links,
-- ordered by customer; the outer one their holders through
-- identity_links_by_identifier, ordered by identifier.
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
    FROM identity_links_by_identifier
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id;

-- recipients_bounded_2
-- Who received a subject's data: one row per (recipient, category, country,
-- mechanism). The subject's events are those stored under its customer id
-- and those stored under an identifier inside the window of one of its
-- identity links; Go puts one condition per window in place of the
-- identifier windows comment (chstore/identity.go). Every aggregate gives the same answer whether an event is
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
WHERE ((subject_id = 'C00511896' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000)
       
       OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000))
  AND kind IN ('transfer', 'processor_handoff')
GROUP BY recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY last_us DESC, recipient_id, recipient_category, recipient_country, transfer_mechanism;

-- events_first_page
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand: the latest statement of each link, retracted links left
-- out. Go keeps the customer's own windows less the times another holder's
-- link also covers (chstore/identity.go). Ties on recorded_us go to the
-- later Kafka offset (one identifier's statements share a partition). The
-- inner query finds the customer's identifiers through identity_links,
-- ordered by customer; the outer one their holders through
-- identity_links_by_identifier, ordered by identifier.
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
    FROM identity_links_by_identifier
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
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
-- subject's events include those stored under its identifiers, as in
-- recipients.sql.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
       
       OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
  AND occurred_us <= 9223372036854775807
  AND (occurred_us, event_id) < (9223372036854775807, '')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_next_page
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand: the latest statement of each link, retracted links left
-- out. Go keeps the customer's own windows less the times another holder's
-- link also covers (chstore/identity.go). Ties on recorded_us go to the
-- later Kafka offset (one identifier's statements share a partition). The
-- inner query finds the customer's identifiers through identity_links,
-- ordered by customer; the outer one their holders through
-- identity_links_by_identifier, ordered by identifier.
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
    FROM identity_links_by_identifier
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
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
-- subject's events include those stored under its identifiers, as in
-- recipients.sql.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE ((subject_id = 'C00511896' AND occurred_us >= 0 AND occurred_us < 9223372036854775807)
       
       OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 9223372036854775807))
  AND occurred_us <= 1740186894126978
  AND (occurred_us, event_id) < (1740186894126978, '00000000-0000-4000-8000-000000003629')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 3;

-- events_bounded
-- The links of every holder of the identifiers a customer holds or held,
-- as they stand: the latest statement of each link, retracted links left
-- out. Go keeps the customer's own windows less the times another holder's
-- link also covers (chstore/identity.go). Ties on recorded_us go to the
-- later Kafka offset (one identifier's statements share a partition). The
-- inner query finds the customer's identifiers through identity_links,
-- ordered by customer; the outer one their holders through
-- identity_links_by_identifier, ordered by identifier.
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
    FROM identity_links_by_identifier
    WHERE (id_kind, id_hmac) IN
    (
        SELECT id_kind, id_hmac
        FROM identity_links
        WHERE subject_id = 'C00511896'
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
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
-- subject's events include those stored under its identifiers, as in
-- recipients.sql.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset
FROM lineage_events
WHERE ((subject_id = 'C00511896' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000)
       
       OR (subject_id = 'msisdn:493daeab488aee191dd5c55ba8f6bce846a0f171ec72ec1e6d3243ee71bc0269' AND occurred_us >= 1677628800000000 AND occurred_us < 1767225600000000))
  AND occurred_us <= 9223372036854775807
  AND (occurred_us, event_id) < (9223372036854775807, '')
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT 101;

-- unresolved
-- Events stored under an identifier that are in nobody's answer, per kind:
-- unresolved when no current link covers them at their occurred_us,
-- contested when links of two or more customers do (each customer's lookup
-- leaves them out). Identifier keys start with a lower-case kind; customer
-- ids start with an upper-case C, so subject_id >= 'a' selects exactly the
-- identified events. A copy of an event counts once (uniqExact).
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
            FROM identity_links
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
    WHERE subject_id >= 'a'
)
WHERE holders != 1
GROUP BY id_kind
ORDER BY id_kind;

