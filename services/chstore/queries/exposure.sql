-- How far a breach reaches: over the party's events in the window
-- (exposed.sql, which Go puts in the FROM), one row per data category with
-- the customers it covers, and one row with the empty category for the
-- whole (arrayPushFront gives every event that row), which alone counts
-- events: counting them per category too cost as much again. Copies of an
-- event count once (uniqExact of ids). Events under an identifier that no
-- one or several held at the time are counted, with their identifiers, and
-- are in no customer's count. Restricted: events whose restriction has not
-- lapsed at @now_us, which the letters must not reveal. The name is a
-- recipient's on its latest event (meaningless for a source system).
SELECT
    category,
    uniqExactIf(holder, holder != '') AS subjects,
    uniqExactIf(event_id, category = '') AS events,
    uniqExactIf(event_id, category = '' AND resolution = 'unresolved') AS unresolved_events,
    uniqExactIf(event_id, category = '' AND resolution = 'contested') AS contested_events,
    uniqExactIf(subject_id, category = '' AND holder = '') AS unresolved_identifiers,
    uniqExactIf(event_id, category = '' AND restriction_review_us > @now_us) AS restricted_events,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
/*exposed*/
)
ARRAY JOIN arrayPushFront(data_categories, '') AS category
GROUP BY category
ORDER BY category
