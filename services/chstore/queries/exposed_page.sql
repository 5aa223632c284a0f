-- The customers of one page of an exposure, by customer id after @after:
-- their ids only, since the aggregates of exposed_subjects.sql over every
-- customer of a large exposure cost several times this (exposed.sql, which
-- Go puts in the FROM). ClickHouse 18.16 prunes the inner query's columns
-- to those the outer one reads, and then fails on the ones the join's
-- lambda needs, hence min(occurred_us).
SELECT holder, min(occurred_us) AS first_us
FROM
(
/*exposed*/
)
WHERE holder != '' AND holder > @after
GROUP BY holder
ORDER BY holder
LIMIT @limit
