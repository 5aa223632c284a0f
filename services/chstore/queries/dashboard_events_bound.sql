-- The first step of a page of the DPO's events list: the subjects and
-- times of the page's rows, newest first, read from the narrow columns
-- only (the time, the subject and the filters' columns), so that the
-- second step (dashboard_events.sql) reads whole rows of those subjects
-- alone, through the primary key. The last time is the page's bound. occurred_us bounds the read to
-- the window's yearly partitions; the table is ordered by subject, so
-- within them every row's time is read (PREWHERE: first, and only that),
-- then the filters' columns of the rows in the window. Copies of an event
-- count here, which can only make the bound lower than needed. Go puts a
-- condition in place of the filters comment for each filter given.
SELECT subject_id, occurred_us
FROM lineage_events
PREWHERE occurred_us >= @from_us AND occurred_us < @to_us AND occurred_us <= @after_us
WHERE 1 /*filters*/
ORDER BY occurred_us DESC
LIMIT @limit
