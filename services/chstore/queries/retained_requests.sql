-- The authorities' requests for retained data answered in [from, to): the
-- CDR disclosures (a transfer from @source for @purpose that includes
-- @category, to a recipient), grouped by request. A request is the
-- authority's reference (@attr_ref) at that authority, since numbers are
-- each authority's own; a disclosure without one is a request of its own,
-- keyed by its event id. Copies of a retried event share every column and
-- so their group; uniqExact counts the event once. Per request: the
-- authority's name on its latest event, its first and last disclosure in
-- the range, the oldest day of retained data given (@attr_from, a
-- YYYY-MM-DD that sorts as it reads; empty when no disclosure names it),
-- the events, and the subjects as stored (a customer id or an identifier's
-- key). The year's partitions are read whole: the table is ordered by
-- subject, and this is a yearly question.
SELECT
    recipient_id,
    argMax(recipient_name, (occurred_us, event_id)) AS authority,
    request_ref,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    minIf(retention_from, retention_from != '') AS oldest_from,
    uniqExact(event_id) AS disclosures,
    arraySort(groupUniqArray(subject_id)) AS subjects
FROM
(
    SELECT
        recipient_id,
        recipient_name,
        occurred_us,
        event_id,
        subject_id,
        attr_values[indexOf(attr_keys, @attr_ref)] AS request_ref,
        attr_values[indexOf(attr_keys, @attr_from)] AS retention_from,
        if(request_ref = '', event_id, '') AS lone
    FROM lineage_events
    WHERE occurred_us >= @from_us AND occurred_us < @to_us
      AND source_system = @source
      AND kind = @kind
      AND purpose = @purpose
      AND has(data_categories, @category)
      AND recipient_id != ''
)
GROUP BY recipient_id, request_ref, lone
ORDER BY recipient_id, request_ref, lone
