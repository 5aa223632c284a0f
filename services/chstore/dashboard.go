package chstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
)

// The DPO's dashboard: the overview from the settled rollups
// (migrations/0009 and 0011, settle.go), the events behind a number, and a
// subject's lineage.
var (
	//go:embed queries/dashboard_flows.sql
	dashboardFlowsSQL string
	//go:embed queries/dashboard_days.sql
	dashboardDaysSQL string
	//go:embed queries/dashboard_categories.sql
	dashboardCategoriesSQL string
	//go:embed queries/dashboard_subjects.sql
	dashboardSubjectsSQL string
	//go:embed queries/dashboard_recipients.sql
	dashboardRecipientsSQL string
	//go:embed queries/dashboard_events_bound.sql
	dashboardBoundSQL string
	//go:embed queries/dashboard_events.sql
	dashboardEventsSQL string
	//go:embed queries/lineage.sql
	lineageSQL string
)

// AttrDataSource is the event attribute that names where the data came
// from: a policy §16 source code (the customer, the operator's systems,
// partners, public registers...). Events without it are "not stated".
const AttrDataSource = "data_source"

// OverviewQuery asks for the overview of the UTC days [From, To), both
// midnights; RecipientID and SourceSystem, when set, restrict it to one.
type OverviewQuery struct {
	From, To     time.Time
	RecipientID  string
	SourceSystem string
}

// Overview is what the events of a window show, from the rollups. Every
// count is of events, each once however often it was stored, as of the
// rollups' last settlement (Settle): events stored since then are not
// counted yet.
type Overview struct {
	// Flows are the events per flow, ordered by source system, kind,
	// recipient, category, country, mechanism, basis and purpose.
	Flows []OverviewFlow
	// Days are the events per day and source system, by day.
	Days []DayCount
	// Categories are the events per data category, most first: an event
	// counts under each of its categories.
	Categories []CategoryCount
	// SubjectsApprox is an approximate distinct count of the subject keys
	// (uniqHLL12: exact up to 16, within about 2 % beyond): a customer and
	// an identifier it held count as two.
	SubjectsApprox uint64
	// RecipientTimes are the first and last disclosure to each recipient,
	// to the microsecond.
	RecipientTimes map[string]Span
	// UnsettledDays is the number of days, of any window, with events
	// stored since the rollups were last settled: not counted yet.
	UnsettledDays int
}

// OverviewFlow is one flow of the overview and its events.
type OverviewFlow struct {
	SourceSystem, Kind                              string
	RecipientID, RecipientName, RecipientCategory   string // empty for accesses
	Country, TransferMechanism, LegalBasis, Purpose string
	Events                                          uint64
}

// DayCount is the events of one UTC day and source system.
type DayCount struct {
	Day          time.Time
	SourceSystem string
	Events       uint64
}

// CategoryCount is the events of one data category.
type CategoryCount struct {
	Category string
	Events   uint64
}

// Span is a first and a last time.
type Span struct{ First, Last time.Time }

// Overview answers the overview of q's days from the rollups, its reads run
// concurrently. Safe for concurrent use.
func (s *Store) Overview(ctx context.Context, q OverviewQuery) (Overview, error) {
	if !q.From.Before(q.To) {
		return Overview{}, fmt.Errorf("overview: from must be before to: %w", ErrInvalidQuery)
	}
	var (
		out  = Overview{RecipientTimes: map[string]Span{}}
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, r := range overviewReads(q, &out) {
		wg.Go(func() {
			if err := s.each(ctx, r.query, r.args, r.row); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("overview: %s in %s: %w", r.what, s.cfg.Database, err))
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		n, err := s.UnsettledDays(ctx)
		mu.Lock()
		defer mu.Unlock()
		out.UnsettledDays = n
		if err != nil {
			errs = append(errs, fmt.Errorf("overview: %w", err))
		}
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Overview{}, err
	}
	return out, nil
}

// overviewRead is one of the overview's queries, independent of the
// others: row scans a row of it into the overview.
type overviewRead struct {
	what, query string
	args        []any
	row         func(scan func(...any) error) error
}

// overviewReads are the queries of q's overview, each filling its own part
// of out, so that they may run at once.
func overviewReads(q OverviewQuery, out *Overview) []overviewRead {
	days := []any{
		clickhouse.Named("from_day", q.From.UTC().Format(time.DateOnly)),
		clickhouse.Named("to_day", q.To.UTC().Format(time.DateOnly)),
		clickhouse.Named("recipient_id", q.RecipientID),
		clickhouse.Named("source_system", q.SourceSystem),
	}
	party := q.RecipientID
	if party == "" {
		party = "*"
	}
	fromUS, toUS := bounds(q.From, q.To)
	fromMonth, toMonth := wholeMonths(q.From.UTC(), q.To.UTC())
	flows := append(slices.Clip(days),
		clickhouse.Named("from_month", fromMonth.Format(time.DateOnly)),
		clickhouse.Named("to_month", toMonth.Format(time.DateOnly)))
	return []overviewRead{
		{"flows", dashboardFlowsSQL, flows, func(scan func(...any) error) error {
			var f OverviewFlow
			err := scan(&f.SourceSystem, &f.Kind, &f.RecipientID, &f.RecipientCategory, &f.Country, &f.TransferMechanism,
				&f.LegalBasis, &f.Purpose, &f.RecipientName, &f.Events)
			out.Flows = append(out.Flows, f)
			return err
		}},
		{"days", dashboardDaysSQL, days, func(scan func(...any) error) error {
			var (
				d   DayCount
				day string
			)
			if err := scan(&day, &d.SourceSystem, &d.Events); err != nil {
				return err
			}
			var err error
			d.Day, err = time.Parse(time.DateOnly, day)
			out.Days = append(out.Days, d)
			return err
		}},
		{"categories", dashboardCategoriesSQL, days, func(scan func(...any) error) error {
			var c CategoryCount
			err := scan(&c.Category, &c.Events)
			out.Categories = append(out.Categories, c)
			return err
		}},
		{"subjects", dashboardSubjectsSQL, append(days[:2:2], clickhouse.Named("party", party),
			clickhouse.Named("source_system", q.SourceSystem)), func(scan func(...any) error) error {
			return scan(&out.SubjectsApprox)
		}},
		{"recipient times", dashboardRecipientsSQL, []any{
			clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS),
			clickhouse.Named("recipient_id", q.RecipientID), clickhouse.Named("source_system", q.SourceSystem),
		}, func(scan func(...any) error) error {
			var (
				id          string
				first, last int64
			)
			err := scan(&id, &first, &last)
			out.RecipientTimes[id] = Span{First: fromMicros(first), Last: fromMicros(last)}
			return err
		}},
	}
}

// wholeMonths returns the whole UTC months inside the days [from, to),
// from the first day of the first to the first day after the last, or
// to, to when there is none.
func wholeMonths(from, to time.Time) (time.Time, time.Time) {
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !first.Before(last) {
		return to, to
	}
	return first, last
}

// each runs query and hands every row to row, which scans it; the rows
// of one query are handed over one at a time.
func (s *Store) each(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EventFilter is what the DPO's events list is restricted to: each field
// empty leaves it open. Country is the recipient's; DataCategory is one of
// an event's categories.
type EventFilter struct {
	SourceSystem, RecipientID, RecipientCategory string
	LegalBasis, Purpose, DataCategory, Country   string
	Kind                                         string
	// TransferMechanism is a mechanism's code, or MechanismNone for the
	// events that state none.
	TransferMechanism string
}

// MechanismNone, as EventFilter.TransferMechanism, selects the events
// without a transfer mechanism.
const MechanismNone = "none"

// filterConditions are the conditions of the filters in place of
// /*filters*/ in dashboard_events*.sql, one for each filter given (a
// condition that is always true still reads its column): fixed text, the
// values are bound.
var filterConditions = []struct {
	condition, param string
	value            func(EventFilter) string
}{
	{"AND source_system = @f_source", "f_source", func(f EventFilter) string { return f.SourceSystem }},
	{"AND recipient_id = @f_recipient", "f_recipient", func(f EventFilter) string { return f.RecipientID }},
	{"AND recipient_category = @f_recipient_category", "f_recipient_category", func(f EventFilter) string { return f.RecipientCategory }},
	{"AND legal_basis = @f_basis", "f_basis", func(f EventFilter) string { return f.LegalBasis }},
	{"AND purpose = @f_purpose", "f_purpose", func(f EventFilter) string { return f.Purpose }},
	{"AND has(data_categories, @f_category)", "f_category", func(f EventFilter) string { return f.DataCategory }},
	{"AND recipient_country = @f_country", "f_country", func(f EventFilter) string { return f.Country }},
	{"AND (kind = @f_kind OR @f_kind = '" + KindDisclosure + "' AND kind IN ('transfer', 'processor_handoff'))", "f_kind",
		func(f EventFilter) string { return f.Kind }},
	{"AND transfer_mechanism = if(@f_mechanism = '" + MechanismNone + "', '', @f_mechanism)", "f_mechanism",
		func(f EventFilter) string { return f.TransferMechanism }},
}

// KindDisclosure, as EventFilter.Kind, selects the disclosures: transfers
// and processor hand-offs, which the overview counts together.
const KindDisclosure = "disclosure"

// where returns query with the filter's conditions in place of
// /*filters*/, and their values.
func (f EventFilter) where(query string) (string, []any) {
	var (
		conds []string
		args  []any
	)
	for _, c := range filterConditions {
		if v := c.value(f); v != "" {
			conds, args = append(conds, c.condition), append(args, clickhouse.Named(c.param, v))
		}
	}
	return strings.Replace(query, "/*filters*/", strings.Join(conds, "\n  "), 1), args
}

// EventListQuery asks for a page of every subject's events in [From, To)
// that pass Filter, newest first; After and Limit as in EventsQuery.
type EventListQuery struct {
	From, To time.Time
	Filter   EventFilter
	Limit    int
	After    *Cursor
}

// EventList returns one page of the events behind a number of the
// overview, newest first, each event once, restricted ones included (the
// DPO's). Subjects are as stored: an event filed under an identifier has
// the identifier's key as its SubjectID. Safe for concurrent use.
func (s *Store) EventList(ctx context.Context, q EventListQuery) (EventsPage, error) {
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	fromUS, toUS := bounds(q.From, q.To)
	afterUS, afterID := int64(math.MaxInt64), ""
	if q.After != nil {
		afterUS, afterID = ceilMicros(q.After.OccurredAt), q.After.EventID
	}
	boundSQL, args := q.Filter.where(dashboardBoundSQL)
	pageSQL, _ := q.Filter.where(dashboardEventsSQL)
	args = append(args,
		clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS),
		clickhouse.Named("after_us", afterUS), clickhouse.Named("limit", limit+1))
	// The first step: the subjects and times of the limit+1 latest rows,
	// copies included.
	var (
		subjects []any
		seen     = map[string]bool{}
		bound    int64
		found    int
	)
	err := s.each(ctx, boundSQL, args, func(scan func(...any) error) error {
		var subject string
		if err := scan(&subject, &bound); err != nil {
			return err
		}
		if found++; !seen[subject] {
			seen[subject] = true
			subjects = append(subjects, subject)
		}
		return nil
	})
	if err != nil {
		return EventsPage{}, fmt.Errorf("query the bound of an events page in %s: %w", s.cfg.Database, err)
	}
	if found == 0 {
		return EventsPage{}, nil
	}
	read := func(bound int64, subjects []any) ([]StoredEvent, error) {
		query := strings.Replace(pageSQL, "/*subjects*/", "", 1)
		page := append(slices.Clip(args), clickhouse.Named("bound_us", bound), clickhouse.Named("after_id", afterID))
		if subjects != nil {
			query = strings.Replace(pageSQL, "/*subjects*/", "AND subject_id IN @subjects", 1)
			page = append(page, clickhouse.Named("subjects", clickhouse.GroupSet{Value: subjects}))
		}
		events := make([]StoredEvent, 0, min(limit+1, 64))
		err := s.each(ctx, query, page, func(scan func(...any) error) error {
			e, err := scanEvent(scanFunc(scan))
			events = append(events, e)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("query an events page in %s: %w", s.cfg.Database, err)
		}
		return events, nil
	}
	if found <= limit {
		// Every row of the window: its subjects are all known.
		events, err := read(fromUS, subjects)
		return EventsPage{Events: events}, err
	}
	// Every row later than the last one found is among those found, and
	// they are at most limit: the page is their events, and the rest
	// comes after its last. Rows at the last time itself may be more than
	// were found, so they wait for the next page.
	events, err := read(bound+1, subjects)
	if err != nil {
		return EventsPage{}, err
	}
	if len(events) > 0 {
		last := events[len(events)-1]
		return EventsPage{Events: events, Next: &Cursor{OccurredAt: last.OccurredAt, EventID: last.ID}}, nil
	}
	// Every row found shares one time (copies of one event, or many
	// events of one microsecond): read the window whole. Rare.
	if events, err = read(fromUS, nil); err != nil {
		return EventsPage{}, err
	}
	page := EventsPage{Events: events}
	if len(events) > limit {
		page.Events = events[:limit]
		last := page.Events[limit-1]
		page.Next = &Cursor{OccurredAt: last.OccurredAt, EventID: last.ID}
	}
	return page, nil
}

// scanFunc makes a scan function a scanner.
type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// LineageQuery asks for a subject's lineage in [From, To) (a zero time
// leaves that side open), restricted to one data category and one purpose
// when they are set.
type LineageQuery struct {
	SubjectID  string
	From, To   time.Time
	Category   string
	Purpose    string
	Restricted Restricted
}

// LineageFlow is one (data source, source system, recipient) of a
// subject's events: DataSource is empty when the events do not state it,
// RecipientID for accesses.
type LineageFlow struct {
	DataSource, SourceSystem                      string
	RecipientID, RecipientName, RecipientCategory string
	Country, TransferMechanism                    string
	// Restricted says a disclosure of the flow is restricted at the
	// query's Now (only answered with Restricted.Include).
	Restricted           bool
	DataCategories       []string
	Purposes, LegalBases []string
	First, Last          time.Time
	Events               uint64 // distinct event ids: a retried event counts once
}

// LineageAnswer is a subject's lineage and the windows of its identifiers
// left out as contested, as in RecipientsAnswer.
type LineageAnswer struct {
	Flows     []LineageFlow
	Contested []ContestedWindow
}

// Lineage answers where a subject's data came from, which systems hold
// them and whom they reached, resolved through the identity links as
// Recipients is, restricted disclosures as q.Restricted says. Safe for
// concurrent use.
func (s *Store) Lineage(ctx context.Context, q LineageQuery) (LineageAnswer, error) {
	if !lineage.ValidSubjectID(q.SubjectID) {
		return LineageAnswer{}, fmt.Errorf("lineage: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	fromUS, toUS := bounds(q.From, q.To)
	query, args, contested, err := s.subjectScope(ctx, lineageSQL, q.SubjectID, fromUS, toUS)
	if err != nil {
		return LineageAnswer{}, fmt.Errorf("lineage: %w", err)
	}
	now := Restricted{Now: q.Restricted.Now}.visibleUS()
	out := LineageAnswer{Contested: contested}
	err = s.each(ctx, query, append(args,
		clickhouse.Named("subject_id", q.SubjectID),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("visible_us", q.Restricted.visibleUS()),
		clickhouse.Named("now_us", now),
		clickhouse.Named("attr_source", AttrDataSource),
		clickhouse.Named("category", q.Category),
		clickhouse.Named("purpose", q.Purpose),
	), func(scan func(...any) error) error {
		var (
			f           LineageFlow
			restricted  uint8
			first, last int64
		)
		err := scan(&f.DataSource, &f.SourceSystem, &f.RecipientID, &f.RecipientName, &f.RecipientCategory,
			&f.Country, &f.TransferMechanism, &restricted, &f.DataCategories, &f.Purposes, &f.LegalBases,
			&first, &last, &f.Events)
		f.Restricted, f.First, f.Last = restricted == 1, fromMicros(first), fromMicros(last)
		out.Flows = append(out.Flows, f)
		return err
	})
	if err != nil {
		return LineageAnswer{}, fmt.Errorf("query the lineage of a subject in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}
