-- A customer's identity links as they stand: the latest statement of each
-- link, retracted links left out. Ties on recorded_us go to the later Kafka
-- offset (one identifier's statements share a partition).
SELECT id_kind, id_hmac, valid_from_us, valid_to_us
FROM
(
    SELECT
        id_kind,
        id_hmac,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links
    WHERE subject_id = @subject_id
    GROUP BY id_kind, id_hmac, valid_from_us
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us
