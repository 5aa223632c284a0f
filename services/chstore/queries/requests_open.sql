-- The events of every access request not closed: no answered or refused
-- event among its own. Each event id once; sorted by request so Go groups
-- them in one pass. Requests are few (a few a day, open for weeks at most)
-- and the inner query reads two short columns of the whole table.
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
WHERE request_id NOT IN
(
    SELECT request_id
    FROM access_request_events
    WHERE event_type IN (@answered, @refused)
)
ORDER BY request_id, event_id, kafka_offset
LIMIT 1 BY request_id, event_id
