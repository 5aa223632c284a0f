-- The events in [from, to) of every subject who withdrew a consent or
-- opted out that rely on consent or are commercial messages: the events
-- pkg/subjectfact.Flags judges. subject_id leads the sorting key, so the
-- IN list reads only those subjects' granules. Each event id once; a
-- row more than the limit says the window holds too many.
SELECT
    subject_id,
    event_id,
    kind,
    occurred_us,
    purpose,
    legal_basis
FROM lineage_events
WHERE subject_id IN
(
    SELECT subject_id
    FROM subject_facts
    WHERE fact_type IN (@withdrawn, @opted_out)
)
    AND occurred_us >= @from_us AND occurred_us < @to_us
    AND (legal_basis = @consent OR purpose = @commercial)
ORDER BY subject_id, event_id
LIMIT 1 BY subject_id, event_id
LIMIT @limit
