package chstore

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/retention"
	"github.com/balticom/lineage/pkg/taxonomy"
)

var (
	//go:embed queries/retention.sql
	retentionSQL string
	//go:embed queries/retention_past.sql
	retentionPastSQL string
)

// RetentionQuery asks how a subject's data stand against the retention
// rules (Subject set), or, for the DPO, which subjects' data were held
// past a rule's period (Subject empty). From and To bound occurred_at
// (From inclusive, To exclusive); a zero time leaves that side open.
type RetentionQuery struct {
	Subject  string
	From, To time.Time
	// After and Limit page the DPO's list by subject id: the subjects
	// after After (empty: from the first), at most Limit of them (zero or
	// less: DefaultRetentionSubjects; more than MaxRetentionSubjects:
	// that). Unused for one subject.
	After string
	Limit int
}

// Page sizes of the DPO's retention list, in subjects.
const (
	DefaultRetentionSubjects = 100
	MaxRetentionSubjects     = 1000
)

// RetentionAnswer is a set of retention lines (pkg/retention), worst first
// within each subject.
//
// For one subject: a line per (category, rule) of every event in the
// range, each status, Events counting all of them. Contested are the
// windows of its identifiers whose events are left out because another
// customer's link covers them too.
//
// For the DPO: only events that name retention_from and happened after a
// period, and only lines whose status is exceeded or minimum_passed, by
// subject id; Events counts the events past the period. SubjectID is as
// stored: a customer id, or an identifier's key (lineage.ParseIdentifierKey)
// for events filed under an identifier, not resolved to a customer. Next,
// when set, is the After of the next page.
type RetentionAnswer struct {
	Lines     []retention.Line
	Contested []ContestedWindow
	Next      string
}

// Retention judges events against the retention rules of the privacy
// policy (§20–§23): for one subject (q.Subject) every event in the range,
// or across the store the events past a period (see RetentionAnswer).
// An event stored more than once counts once. One subject with more than
// MaxReportEvents events in the range is ErrTooManyEvents. Safe for
// concurrent use.
func (s *Store) Retention(ctx context.Context, q RetentionQuery) (RetentionAnswer, error) {
	if q.Subject == "" {
		return s.retentionPast(ctx, q)
	}
	if !lineage.ValidSubjectID(q.Subject) {
		return RetentionAnswer{}, fmt.Errorf("retention: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	fromUS, toUS := bounds(q.From, q.To)
	query, args, contested, err := s.subjectScope(ctx, retentionSQL, q.Subject, fromUS, toUS)
	if err != nil {
		return RetentionAnswer{}, fmt.Errorf("retention: %w", err)
	}
	rows, err := s.conn.Query(ctx, query, append(args,
		clickhouse.Named("subject_id", q.Subject),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("attr_from", lineage.AttrRetentionFrom),
		clickhouse.Named("attr_rule", lineage.AttrRetentionRule),
		clickhouse.Named("limit", MaxReportEvents+1),
	)...)
	if err != nil {
		return RetentionAnswer{}, fmt.Errorf("query the retention of a subject's events in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var events []retention.Event
	for rows.Next() {
		var (
			id, from, rule string
			occurred       int64
			categories     []string
		)
		if err := rows.Scan(&id, &occurred, &categories, &from, &rule); err != nil {
			return RetentionAnswer{}, fmt.Errorf("scan the retention of a subject's events in %s: %w", s.cfg.Database, err)
		}
		if len(events) == MaxReportEvents {
			return RetentionAnswer{}, fmt.Errorf("retention: %w", ErrTooManyEvents)
		}
		events = append(events, retention.NewEvent(id, fromMicros(occurred), categories, from, rule))
	}
	if err := rows.Err(); err != nil {
		return RetentionAnswer{}, fmt.Errorf("read the retention of a subject's events in %s: %w", s.cfg.Database, err)
	}
	return RetentionAnswer{Lines: retention.Summarise(q.Subject, events), Contested: contested}, nil
}

// retentionPast is Retention across the store: a page of subjects whose
// events happened after a period, and their lines past it.
func (s *Store) retentionPast(ctx context.Context, q RetentionQuery) (RetentionAnswer, error) {
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultRetentionSubjects
	case limit > MaxRetentionSubjects:
		limit = MaxRetentionSubjects
	}
	fromUS, toUS := bounds(q.From, q.To)
	rows, err := s.conn.Query(ctx, retentionPastSQL, append(ruleParams(),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("after", q.After),
		clickhouse.Named("attr_from", lineage.AttrRetentionFrom),
		clickhouse.Named("attr_rule", lineage.AttrRetentionRule),
		clickhouse.Named("limit", limit),
	)...)
	if err != nil {
		return RetentionAnswer{}, fmt.Errorf("query the events past a retention period in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var (
		out      RetentionAnswer
		subjects int
		last     string
	)
	for rows.Next() {
		var (
			subject           string
			ids, froms, rules []string
			occurred          []int64
			categories        [][]string
		)
		if err := rows.Scan(&subject, &ids, &occurred, &categories, &froms, &rules); err != nil {
			return RetentionAnswer{}, fmt.Errorf("scan the events past a retention period in %s: %w", s.cfg.Database, err)
		}
		if n := len(ids); len(occurred) != n || len(categories) != n || len(froms) != n || len(rules) != n {
			return RetentionAnswer{}, fmt.Errorf("events past a retention period in %s: subject's arrays differ in length", s.cfg.Database)
		}
		events := make([]retention.Event, len(ids))
		for i, id := range ids {
			events[i] = retention.NewEvent(id, fromMicros(occurred[i]), categories[i], froms[i], rules[i])
		}
		for _, l := range retention.Summarise(subject, events) {
			// The other categories of a past event are on their own
			// lines, within their periods or with none.
			if l.Status.Past() {
				out.Lines = append(out.Lines, l)
			}
		}
		subjects, last = subjects+1, subject
	}
	if err := rows.Err(); err != nil {
		return RetentionAnswer{}, fmt.Errorf("read the events past a retention period in %s: %w", s.cfg.Database, err)
	}
	if subjects == limit {
		out.Next = last
	}
	return out, nil
}

// ruleParams are the placeholders of retention_past.sql that carry the
// rules: every rule code with its period (0 and 0 for none), and every
// category with its default rule, from the taxonomy and pkg/retention, so
// that the query picks events by the rules Go judges them by.
func ruleParams() []any {
	rules := taxonomy.RetentionRules()
	codes, months, days := make([]string, len(rules)), make([]int, len(rules)), make([]int, len(rules))
	for i, r := range rules {
		codes[i] = r.Code
		if p, ok := retention.PeriodOf(r); ok {
			months[i], days[i] = p.Months, p.Days
		}
	}
	cats := taxonomy.Categories()
	categories, defaults := make([]string, len(cats)), make([]string, len(cats))
	for i, c := range cats {
		categories[i], defaults[i] = c.Code, c.Retention
	}
	return []any{
		clickhouse.Named("rule_codes", codes),
		clickhouse.Named("rule_months", months),
		clickhouse.Named("rule_days", days),
		clickhouse.Named("categories", categories),
		clickhouse.Named("category_rules", defaults),
	}
}
