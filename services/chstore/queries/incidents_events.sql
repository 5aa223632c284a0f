-- The events of one incident, each event id once (copies of a retried
-- event are alike but for where Kafka had them). Go folds them in its own
-- order (pkg/incident.Fold); this order only makes answers repeatable.
SELECT
    incident_id,
    event_id,
    event_type,
    at_us,
    recorded_us,
    actor,
    party_kind,
    party,
    window_from_us,
    window_to_us,
    nature,
    subjects,
    events,
    approximate,
    authority,
    reference,
    reason
FROM incident_events
WHERE incident_id = @incident_id
ORDER BY event_id, kafka_offset
LIMIT 1 BY event_id
