-- One subject's events in [from, to), each once, with what pkg/retention
-- judges them by: the categories and the attributes retention_from and
-- retention_rule (empty when absent: an index of 0 gives the empty
-- string). The subject's events include those stored under its
-- identifiers, inner and outer query as in recipients.sql. Restricted
-- disclosures are included: the question is what the operator held, not
-- what the subject may be told. A row more than the limit says the range
-- holds too many.
SELECT event_id, occurred_us, data_categories, retention_from, retention_rule
FROM
(
    SELECT
        subject_id,
        event_id,
        occurred_us,
        data_categories,
        attr_values[indexOf(attr_keys, @attr_from)] AS retention_from,
        attr_values[indexOf(attr_keys, @attr_rule)] AS retention_rule
    FROM lineage_events
    WHERE ((subject_id = @subject_id AND occurred_us >= @from_us AND occurred_us < @to_us)
           /*identifier keys*/)
)
/*identifier windows*/
ORDER BY occurred_us, event_id
LIMIT 1 BY event_id
LIMIT @limit
