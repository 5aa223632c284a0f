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
        WHERE subject_id = @subject_id
    )
    GROUP BY id_kind, id_hmac, valid_from_us, subject_id, source_system
)
WHERE is_retracted = 0
ORDER BY id_kind, id_hmac, valid_from_us, subject_id
