-- The events in [from, to) of every subject that happened after the
-- retention period of a rule governing one of their categories, grouped
-- per subject (by subject id, after @after, the first @limit): the DPO's
-- list of data held past a deadline or a minimum. Go judges each event
-- again (pkg/retention) and gives the lines: this query only picks the
-- events, by the same rules, so that a window of millions of dated
-- invoices sends only the few that are past.
--
-- Only events that name retention_from. An event's rules are its
-- retention_rule when that is a known code, else its categories' default
-- rules (@categories → @category_rules); a rule's period is
-- @rule_months[i] calendar months and @rule_days[i] days (0 and 0: no
-- period). addMonths ends a month-end period on the last day of a shorter
-- month, as pkg/retention does, and the period's last day is still inside
-- it. A retention_from that is no date (toDateOrZero gives day 0; only an
-- event stored before the attribute had a meaning can carry one) is left
-- out, as Go leaves it undated. The lambdas are outside the table's own
-- WHERE, which 18.16 refuses them in. Each event id once.
--
-- subject_id is as stored: a customer id, or an identifier's key
-- (kind:hmac), not resolved here. GROUP BY holds every past event of the
-- window before the page is cut: the answer's size over all pages.
SELECT
    subject_id,
    groupArray(event_id) AS event_ids,
    groupArray(occurred_us) AS occurred,
    groupArray(data_categories) AS categories,
    groupArray(retention_from) AS froms,
    groupArray(retention_rule) AS rules
FROM
(
    SELECT subject_id, event_id, occurred_us, data_categories, retention_from, retention_rule
    FROM
    (
        SELECT
            subject_id,
            event_id,
            occurred_us,
            data_categories,
            retention_from,
            retention_rule,
            toDateOrZero(retention_from) AS from_day,
            if(has(@rule_codes, retention_rule), [retention_rule],
               arrayMap(c -> @category_rules[indexOf(@categories, c)], data_categories)) AS governing
        FROM
        (
            SELECT
                subject_id,
                event_id,
                occurred_us,
                data_categories,
                attr_values[indexOf(attr_keys, @attr_from)] AS retention_from,
                attr_values[indexOf(attr_keys, @attr_rule)] AS retention_rule
            FROM lineage_events
            WHERE occurred_us >= @from_us AND occurred_us < @to_us
              AND subject_id > @after
              AND has(attr_keys, @attr_from)
        )
    )
    WHERE toUInt16(from_day) > 0
      AND arrayExists(r -> (@rule_months[indexOf(@rule_codes, r)] > 0 OR @rule_days[indexOf(@rule_codes, r)] > 0)
                       AND intDiv(occurred_us, 86400000000) > toUInt16(addDays(addMonths(from_day, @rule_months[indexOf(@rule_codes, r)]),
                                                                                @rule_days[indexOf(@rule_codes, r)])),
                      governing)
    LIMIT 1 BY event_id
)
GROUP BY subject_id
ORDER BY subject_id
LIMIT @limit
