-- The facts of every subject who withdrew a consent or opted out: the
-- subjects whose later events may be flagged. Facts are few, and the
-- inner query reads two short columns of the whole table.
SELECT
    subject_id,
    fact_id,
    fact_type,
    at_us,
    recorded_us,
    source_system,
    actor,
    purpose,
    channel,
    recipient_id,
    reference,
    reason
FROM subject_facts
WHERE subject_id IN
(
    SELECT subject_id
    FROM subject_facts
    WHERE fact_type IN (@withdrawn, @opted_out)
)
ORDER BY subject_id, fact_id, kafka_offset
LIMIT 1 BY subject_id, fact_id
