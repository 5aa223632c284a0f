-- The overview's subjects: an approximate distinct count (uniqHLL12, exact
-- up to 16, within about 2 % beyond) of the
-- subject keys of [@from_day, @to_day), merged from the daily states. A
-- customer and an identifier it held count as two. @party is the recipient
-- asked about, or '*' for the states of all of a day's rows.
SELECT uniqHLL12Merge(subjects)
FROM lineage_daily_subjects
WHERE day >= toDate(@from_day) AND day < toDate(@to_day)
  AND recipient_id = @party
  AND (@source_system = '' OR source_system = @source_system)
