-- The events of every incident not closed, each event id once, sorted by
-- incident so Go groups them in one pass. Incidents are rare; the inner
-- query reads two short columns of the whole table.
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
WHERE incident_id NOT IN
(
    SELECT incident_id
    FROM incident_events
    WHERE event_type = @closed
)
ORDER BY incident_id, event_id, kafka_offset
LIMIT 1 BY incident_id, event_id
