-- Who held one identifier, and when: the links to it as they stand (the
-- latest statement of each, retracted ones left out), oldest first. An
-- access responder finds the customer by what a person presents (a phone
-- number, a contract number, a personal code) and chooses among the
-- holders by period. Read through identity_links_by_identifier, ordered by
-- identifier; ties on recorded_us go to the later Kafka offset, as in
-- links.sql.
SELECT subject_id, valid_from_us, valid_to_us
FROM
(
    SELECT
        subject_id,
        valid_from_us,
        argMax(valid_to_us, (recorded_us, kafka_offset)) AS valid_to_us,
        argMax(retracted, (recorded_us, kafka_offset)) AS is_retracted
    FROM identity_links_by_identifier
    WHERE id_kind = @id_kind AND id_hmac = @id_hmac
    GROUP BY subject_id, valid_from_us
)
WHERE is_retracted = 0
ORDER BY valid_from_us, subject_id
