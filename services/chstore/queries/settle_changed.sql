-- The days to settle: the stored rows of each day (lineage_day_rows, fed
-- as rows are inserted) beside the stored rows it had when last settled
-- (lineage_settled_days, 0 when never), where the two differ. Days in
-- order, as text (YYYY-MM-DD).
SELECT toString(day) AS day_text, stored, settled
FROM
(
    SELECT day, sum(stored) AS stored
    FROM lineage_day_rows
    GROUP BY day
) AS now_stored
ANY LEFT JOIN
(
    SELECT day, argMax(stored, run) AS settled
    FROM lineage_settled_days
    GROUP BY day
) AS last_settled USING (day)
WHERE stored != settled
ORDER BY day
