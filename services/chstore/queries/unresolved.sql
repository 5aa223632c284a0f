-- Events stored under an identifier that no current link covers at their
-- occurred_us: nobody's answer includes them yet. Identifier keys start
-- with a lower-case kind; customer ids start with an upper-case C, so
-- subject_id >= 'a' selects exactly the identified events. A copy of an
-- event counts once (uniqExact).
SELECT
    splitByChar(':', subject_id)[1] AS id_kind,
    uniqExact(event_id) AS events,
    min(occurred_us) AS oldest_us
FROM lineage_events
ANY LEFT JOIN
(
    SELECT
        concat(id_kind, ':', id_hmac) AS subject_id,
        groupArray(valid_from_us) AS froms,
        groupArray(valid_to_us) AS tos
    FROM
    (
        SELECT
            id_kind,
            id_hmac,
            valid_from_us,
            argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
            argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
        FROM identity_links
        GROUP BY subject_id, id_kind, id_hmac, valid_from_us
    )
    WHERE is_retracted = 0
    GROUP BY subject_id
) AS links USING subject_id
WHERE subject_id >= 'a'
  AND NOT arrayExists((f, t) -> occurred_us >= f AND occurred_us < t, froms, tos)
GROUP BY id_kind
ORDER BY id_kind
