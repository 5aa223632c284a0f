-- The events of one access request, each event id once (copies of a
-- retried event are alike but for where Kafka had them). Go folds them in
-- its own order (pkg/accessrequest.Fold); this order only makes answers
-- repeatable.
SELECT
    request_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    channel,
    subject_id,
    identity_method,
    extension_months,
    subject_told_us,
    reason,
    report_hash,
    report_format,
    report_language,
    delivery_channel
FROM access_request_events
WHERE request_id = @request_id
ORDER BY event_id, kafka_offset
LIMIT 1 BY event_id
