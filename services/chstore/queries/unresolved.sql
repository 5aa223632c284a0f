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
ORDER BY id_kind
