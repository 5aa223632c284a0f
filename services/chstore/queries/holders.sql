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
    WHERE id_kind = @id_kind AND id_hmac = @id_hmac
    GROUP BY subject_id, valid_from_us, source_system
)
WHERE is_retracted = 0
GROUP BY subject_id, valid_from_us
ORDER BY valid_from_us, subject_id
