-- A first estimate of an exposure, in one pass over the party's rows and
-- without the identity links: an approximate distinct count (uniq) of the
-- subject keys, each identifier counted as a subject of its own, and every
-- stored copy of an event counted. It is what the DPO has within seconds
-- of opening an incident; exposure.sql gives the exact count after it.
-- Go puts the party's rows (a fixed string) where the scope marker is.
SELECT
    uniq(subject_id) AS subjects,
    count() AS events
FROM /*scope*/
  AND occurred_us >= @from_us AND occurred_us < @to_us
