-- The facts of one subject, each fact id once (copies of a retried fact
-- are alike but for where Kafka had them). Go orders and folds them
-- (pkg/subjectfact); this order only makes answers repeatable.
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
WHERE subject_id = @subject
ORDER BY fact_id, kafka_offset
LIMIT 1 BY fact_id
