-- One page of the DPO's events list, newest first, keyset-paged on
-- (occurred_us, event_id) like a subject's timeline (events.sql), within
-- [@bound_us, @to_us) and, as a rule, of the subjects of the page's rows
-- that dashboard_events_bound.sql found (Go puts the condition in place of
-- the subjects comment): the primary key then reads those subjects'
-- granules alone. The time is in PREWHERE: without it 18.16 may pick
-- another column first and read every row of the window whole (1.8 s
-- instead of 0.13 s for a 30-day page of the benchmarks' store). LIMIT 1 BY event_id keeps one copy of a retried
-- event. Restricted disclosures are in: the list is the DPO's.
-- subject_id is as stored: a customer id or an identifier's key.
SELECT
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
    actor_employee, restriction_basis, restriction_review_us
FROM lineage_events
PREWHERE occurred_us >= @bound_us AND occurred_us < @to_us AND occurred_us <= @after_us
WHERE (occurred_us, event_id) < (@after_us, @after_id)
  /*subjects*/
  /*filters*/
ORDER BY occurred_us DESC, event_id DESC, kafka_partition, kafka_offset
LIMIT 1 BY event_id
LIMIT @limit
