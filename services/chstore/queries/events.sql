-- One page of a subject's timeline, newest first, keyset-paged on
-- (occurred_us, event_id). The copies of an event share both, so LIMIT 1 BY
-- event_id keeps one (the earliest Kafka position, for a stable answer) and
-- the cursor condition drops all of them on the next page. Without a cursor
-- @after_us is the largest Int64, which no event has. The plain bound on
-- occurred_us repeats the tuple's so that the primary key can use it. The
-- subject's events include those stored under its identifiers, inner and
-- outer query as in recipients.sql.
-- Restricted disclosures (restriction_review_us, 0 for none) are left out
-- until they lapse at @visible_us: the time of the query, or the largest
-- Int64 in the DPO's view, which shows them all.
SELECT *
FROM
(
    SELECT
        event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
        subject_id, data_categories, purpose, legal_basis, legitimate_interest,
        recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
        trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
        actor_employee, restriction_basis, restriction_review_us
    FROM lineage_events
    WHERE ((subject_id = @subject_id AND occurred_us >= @from_us AND occurred_us < @to_us)
           /*identifier keys*/)
      AND restriction_review_us <= @visible_us
      AND occurred_us <= @after_us
      AND (occurred_us, event_id) < (@after_us, @after_id)
)
/*identifier windows*/
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT @limit
