package chstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

//go:embed queries/exposed.sql
var exposedSQL string

//go:embed queries/exposure.sql
var exposureSQL string

//go:embed queries/exposed_subjects.sql
var exposedSubjectsSQL string

//go:embed queries/exposed_page.sql
var exposedPageSQL string

//go:embed queries/exposure_estimate.sql
var exposureEstimateSQL string

// PartyKind is where a breach happened: at a recipient of disclosures, or in
// a source system of the operator's.
type PartyKind int

const (
	// Recipient is a recipient id of transfers and processor hand-offs.
	Recipient PartyKind = iota + 1
	// SourceSystem is a source system code: every event it recorded.
	SourceSystem
)

// scopes are the rows of each kind of party, in exposed.sql's /*scope*/:
// fixed strings, the party itself is a parameter.
var scopes = map[PartyKind]string{
	Recipient:    "lineage_disclosures WHERE recipient_id = @party",
	SourceSystem: "lineage_events WHERE source_system = @party",
}

// ExposureQuery names a party and a window of occurred_at (From inclusive,
// To exclusive; a zero time leaves that side open). Now is when restrictions
// are judged; zero means the time of the query.
type ExposureQuery struct {
	Kind     PartyKind
	Party    string
	From, To time.Time
	Now      time.Time
}

// Exposure is how far a breach at a party reaches in a window.
type Exposure struct {
	// RecipientName is a recipient's name on its latest event in the
	// window; empty for a source system.
	RecipientName string
	// Subjects are the customers with at least one event in the window,
	// directly or through an identifier they held at the time.
	Subjects uint64
	Events   uint64
	// First and Last are the first and last event; zero when there is none.
	First, Last time.Time
	// UnresolvedEvents are stored under an identifier that no customer's
	// link covered at the time, ContestedEvents under one that several
	// customers' links did; Identifiers counts those identifiers. None of
	// them is in Subjects: the count is exact for what CRM has linked.
	UnresolvedEvents, ContestedEvents, UnresolvedIdentifiers uint64
	// RestrictedEvents are withheld from subjects at Now (lineage.Restriction).
	RestrictedEvents uint64
	// Categories are the data categories, each with the customers it
	// covers, in code order.
	Categories []CategoryExposure
}

// CategoryExposure is one data category of an exposure and the customers
// whose data of it are involved.
type CategoryExposure struct {
	Category string
	Subjects uint64
}

// ExposedSubject is one customer a breach reaches.
type ExposedSubject struct {
	SubjectID   string
	First, Last time.Time
	Categories  []string
	Events      uint64
	// Notifiable are the categories of events not restricted at the query's
	// Now: what a letter to the subject may name. Empty when every event is
	// restricted: no letter may go out until ReviewAt.
	Notifiable []string
	// ReviewAt is the latest review date of the events restricted at Now;
	// zero when none is.
	ReviewAt time.Time
	// RecipientName is a recipient's name on the customer's latest event;
	// empty for a source system.
	RecipientName string
}

// MaxExposedPage is the most customers ExposedSubjects answers at once.
const MaxExposedPage = 10_000

// ErrUnknownPartyKind is matched (errors.Is) when a query names no party
// kind this package knows.
var ErrUnknownPartyKind = errors.New("unknown party kind")

// Exposure counts the customers, events and data categories of a party's
// events in the window (queries/exposure.sql). Safe for concurrent use.
func (s *Store) Exposure(ctx context.Context, q ExposureQuery) (Exposure, error) {
	query, args, err := exposedQuery(exposureSQL, q)
	if err != nil {
		return Exposure{}, err
	}
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return Exposure{}, fmt.Errorf("query the exposure of %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	defer rows.Close()
	var out Exposure
	for rows.Next() {
		var (
			category                                          string
			subjects, events, unresolved, contested, ids, rst uint64
			first, last                                       int64
			name                                              string
		)
		if err := rows.Scan(&category, &subjects, &events, &unresolved, &contested, &ids, &rst, &first, &last, &name); err != nil {
			return Exposure{}, fmt.Errorf("scan the exposure of %q in %s: %w", q.Party, s.cfg.Database, err)
		}
		if category != "" {
			out.Categories = append(out.Categories, CategoryExposure{Category: category, Subjects: subjects})
			continue
		}
		out.Subjects, out.Events, out.UnresolvedEvents, out.ContestedEvents = subjects, events, unresolved, contested
		out.UnresolvedIdentifiers, out.RestrictedEvents = ids, rst
		out.First, out.Last = fromMicros(first), fromMicros(last)
		if q.Kind == Recipient {
			out.RecipientName = name
		}
	}
	if err := rows.Err(); err != nil {
		return Exposure{}, fmt.Errorf("read the exposure of %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	return out, nil
}

// ExposedSubjects returns up to limit customers of the exposure, by customer
// id, starting after the id after (empty: from the first). Safe for
// concurrent use.
func (s *Store) ExposedSubjects(ctx context.Context, q ExposureQuery, after string, limit int) ([]ExposedSubject, error) {
	if limit < 1 || limit > MaxExposedPage {
		return nil, fmt.Errorf("page of %d customers: must be 1 to %d", limit, MaxExposedPage)
	}
	query, args, err := exposedQuery(exposedPageSQL, q)
	if err != nil {
		return nil, err
	}
	// Customer ids sort before identifier keys, which every page resolves.
	query = strings.Replace(query, "/*after*/", "AND (subject_id > @after OR subject_id >= 'a')", 1)
	rows, err := s.conn.Query(ctx, query, append(args, clickhouse.Named("after", after), clickhouse.Named("limit", limit))...)
	if err != nil {
		return nil, fmt.Errorf("query a page of the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	defer rows.Close()
	var first, last string
	for rows.Next() {
		var (
			holder  string
			firstUS int64
		)
		if err := rows.Scan(&holder, &firstUS); err != nil {
			return nil, fmt.Errorf("scan a page of the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
		}
		if first == "" {
			first = holder
		}
		last = holder
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read a page of the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	if first == "" {
		return nil, nil
	}
	// The page is every customer from its first to its last: a range, so
	// that the query's text stays the same size however large the page.
	return s.exposedSubjects(ctx, q, "AND holder >= @first AND holder <= @last",
		"AND ((subject_id >= @first AND subject_id <= @last) OR subject_id >= 'a')",
		clickhouse.Named("first", first), clickhouse.Named("last", last))
}

// ExposedSubject returns one customer's line of the exposure; ok is false
// when the exposure does not reach the customer. Safe for concurrent use.
func (s *Store) ExposedSubject(ctx context.Context, q ExposureQuery, subject string) (e ExposedSubject, ok bool, err error) {
	out, err := s.exposedSubjects(ctx, q, "AND holder = @subject", "AND (subject_id = @subject OR subject_id >= 'a')",
		clickhouse.Named("subject", subject))
	if err != nil || len(out) == 0 {
		return ExposedSubject{}, false, err
	}
	return out[0], true, nil
}

// exposedSubjects runs exposed_subjects.sql with holder as the outer
// query's condition on the customer and inner as the inner query's.
func (s *Store) exposedSubjects(ctx context.Context, q ExposureQuery, holder, inner string, page ...any) ([]ExposedSubject, error) {
	query, args, err := exposedQuery(exposedSubjectsSQL, q)
	if err != nil {
		return nil, err
	}
	query = strings.Replace(query, "/*holder*/", holder, 1)
	query = strings.Replace(query, "/*after*/", inner, 1)
	rows, err := s.conn.Query(ctx, query, append(args, page...)...)
	if err != nil {
		return nil, fmt.Errorf("query the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	defer rows.Close()
	var out []ExposedSubject
	for rows.Next() {
		var (
			e                     ExposedSubject
			first, last, reviewUS int64
			name                  string
		)
		if err := rows.Scan(&e.SubjectID, &first, &last, &e.Categories, &e.Events, &e.Notifiable, &reviewUS, &name); err != nil {
			return nil, fmt.Errorf("scan the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
		}
		e.First, e.Last = fromMicros(first), fromMicros(last)
		if reviewUS != 0 {
			e.ReviewAt = fromMicros(reviewUS)
		}
		if q.Kind == Recipient {
			e.RecipientName = name
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the subjects exposed at %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	return out, nil
}

// exposedQuery puts exposed.sql, scoped to the query's party, into outer,
// with the values of every placeholder but the page's.
// EstimateExposure is a first count of a party's subjects and events in
// the window, from one pass over its rows (queries/exposure_estimate.sql):
// an approximate distinct count in which an identifier counts as a subject
// and a stored retry as an event. Exposure is the exact count. Safe for
// concurrent use.
func (s *Store) EstimateExposure(ctx context.Context, q ExposureQuery) (subjects, events uint64, err error) {
	scope, ok := scopes[q.Kind]
	if !ok {
		return 0, 0, fmt.Errorf("estimate of %q: party kind %d: %w", q.Party, q.Kind, ErrUnknownPartyKind)
	}
	fromUS, toUS := bounds(q.From, q.To)
	row := s.conn.QueryRow(ctx, strings.Replace(exposureEstimateSQL, "/*scope*/", scope, 1),
		clickhouse.Named("party", q.Party), clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS))
	if err := row.Scan(&subjects, &events); err != nil {
		return 0, 0, fmt.Errorf("estimate the exposure of %q in %s: %w", q.Party, s.cfg.Database, err)
	}
	return subjects, events, nil
}

func exposedQuery(outer string, q ExposureQuery) (string, []any, error) {
	scope, ok := scopes[q.Kind]
	if !ok {
		return "", nil, fmt.Errorf("exposure of %q: party kind %d: %w", q.Party, q.Kind, ErrUnknownPartyKind)
	}
	inner := strings.ReplaceAll(exposedSQL, "/*scope*/", scope)
	query := strings.Replace(outer, "/*exposed*/", inner, 1)
	fromUS, toUS := bounds(q.From, q.To)
	return query, []any{
		clickhouse.Named("party", q.Party),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("now_us", Restricted{Now: q.Now}.visibleUS()),
	}, nil
}
