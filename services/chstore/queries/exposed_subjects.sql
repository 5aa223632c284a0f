-- The lines of the customers a breach reaches: those of a page
-- (exposed_page.sql), or one customer's (exposed.sql, which Go puts in the
-- FROM; Go puts the page's range of customer ids, or the customer, in
-- place of the holder marker and in the inner query too, where the key can
-- use them). Per customer: the first and last event, every category, the
-- events (copies once), and what a letter may say now: the categories of events not restricted at @now_us, and the
-- latest review date of those that are; a recipient's name on the
-- customer's latest event (meaningless for a source system).
SELECT
    holder,
    min(occurred_us) AS first_us,
    max(occurred_us) AS last_us,
    arraySort(groupUniqArrayArray(data_categories)) AS categories,
    uniqExact(event_id) AS events,
    arraySort(groupUniqArrayArrayIf(data_categories, restriction_review_us <= @now_us)) AS notifiable,
    maxIf(restriction_review_us, restriction_review_us > @now_us) AS review_us,
    argMax(recipient_name, (occurred_us, event_id)) AS latest_name
FROM
(
/*exposed*/
)
WHERE holder != '' /*holder*/
GROUP BY holder
ORDER BY holder
