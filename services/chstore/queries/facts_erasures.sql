-- The subjects who asked for erasure, with their latest request: the
-- erasures to follow up. Each subject once.
SELECT
    subject_id,
    max(at_us) AS requested_us
FROM subject_facts
WHERE fact_type = @requested
GROUP BY subject_id
ORDER BY requested_us DESC, subject_id
LIMIT @limit
