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
        FROM /*scope*/
          AND occurred_us >= @from_us AND occurred_us < @to_us
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
                FROM /*scope*/
                  AND subject_id >= 'a' AND occurred_us >= @from_us AND occurred_us < @to_us
            )
            GROUP BY subject_id, id_kind, id_hmac, valid_from_us, source_system
        )
        WHERE is_retracted = 0
        GROUP BY id_kind, id_hmac
    ) AS links USING subject_id
)
