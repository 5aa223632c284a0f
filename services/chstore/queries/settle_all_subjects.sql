-- Settles the subject rollup's states under recipient '*' (all of a day's
-- rows of a source system) for the days of settle_flows.sql, merged from
-- the recipients' states settle_subjects.sql has just added: a merge of
-- states is the state of the union, and the rollup is read instead of the
-- events a second time.
INSERT INTO lineage_daily_subjects (day, source_system, recipient_id, subjects)
SELECT day, source_system, '*', uniqHLL12MergeState(subjects)
FROM lineage_daily_subjects
WHERE day >= toDate(@from_day) AND day < toDate(@to_day) AND recipient_id != '*'
GROUP BY day, source_system
