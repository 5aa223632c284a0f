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
        WHERE subject_id = @subject_id
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id
