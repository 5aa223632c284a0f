-- Settles the subject rollup for the days of settle_flows.sql: the states
-- of the days' subject keys per source system and recipient. A state
-- merged with one of the same keys is unchanged, so these are added as
-- they are: copies of an event, or a day settled again, change no count.
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT toDate(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) AS day, source_system, recipient_id,
    uniqHLL12State(subject_id)
FROM lineage_events
PREWHERE occurred_us >= @from_us AND occurred_us < @to_us
GROUP BY day, source_system, recipient_id
