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
    max(restriction_review_us > @now_us) AS restricted,
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
        restriction_review_us, attr_values[indexOf(attr_keys, @attr_source)] AS data_source
    FROM lineage_events
    WHERE ((subject_id = @subject_id AND occurred_us >= @from_us AND occurred_us < @to_us)
           /*identifier keys*/)
      AND restriction_review_us <= @visible_us
      AND (@category = '' OR has(data_categories, @category))
      AND (@purpose = '' OR purpose = @purpose)
)
/*identifier windows*/
GROUP BY data_source, source_system, recipient_id, recipient_category, recipient_country, transfer_mechanism
ORDER BY data_source, source_system, recipient_id, recipient_category, recipient_country, transfer_mechanism
