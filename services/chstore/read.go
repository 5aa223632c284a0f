package chstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
)

// The read queries. Their @name placeholders are filled in by clickhouse-go
// on the client, as escaped SQL literals: ClickHouse 18.16 has no
// server-side query parameters.
var (
	//go:embed queries/recipients.sql
	recipientsSQL string
	//go:embed queries/events.sql
	eventsSQL string
)

// ErrInvalidQuery is matched (errors.Is) when a query cannot be answered as
// asked: the caller's input is wrong, and asking again will not help.
var ErrInvalidQuery = errors.New("invalid lineage query")

// Page sizes of Events.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Recipients answers who received a subject's data, which data, when and
// why: transfers and processor hand-offs only, newest recipient first. An
// event stored more than once counts once. Safe for concurrent use.
func (s *Store) Recipients(ctx context.Context, q RecipientsQuery) (RecipientsAnswer, error) {
	if !lineage.ValidSubjectID(q.SubjectID) {
		return RecipientsAnswer{}, fmt.Errorf("recipients: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	fromUS, toUS := bounds(q.From, q.To)
	query, args, contested, err := s.subjectScope(ctx, recipientsSQL, q.SubjectID, fromUS, toUS)
	if err != nil {
		return RecipientsAnswer{}, fmt.Errorf("recipients: %w", err)
	}
	rows, err := s.conn.Query(ctx, query, append(args,
		clickhouse.Named("subject_id", q.SubjectID),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("visible_us", q.Restricted.visibleUS()),
	)...)
	if err != nil {
		return RecipientsAnswer{}, fmt.Errorf("query recipients in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	out := RecipientsAnswer{Contested: contested}
	for rows.Next() {
		var (
			r           RecipientSummary
			first, last int64
		)
		if err := rows.Scan(&r.ID, &r.Name, &r.Category, &r.Country, &r.TransferMechanism,
			&r.Kinds, &r.DataCategories, &r.Purposes, &r.LegalBases, &first, &last, &r.Events); err != nil {
			return RecipientsAnswer{}, fmt.Errorf("scan recipients in %s: %w", s.cfg.Database, err)
		}
		r.First, r.Last = fromMicros(first), fromMicros(last)
		out.Recipients = append(out.Recipients, r)
	}
	if err := rows.Err(); err != nil {
		return RecipientsAnswer{}, fmt.Errorf("read recipients in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}

// Events returns one page of a subject's timeline, newest first, each event
// once. A Limit of zero or less means DefaultLimit; more than MaxLimit means
// MaxLimit. Safe for concurrent use.
func (s *Store) Events(ctx context.Context, q EventsQuery) (EventsPage, error) {
	if !lineage.ValidSubjectID(q.SubjectID) {
		return EventsPage{}, fmt.Errorf("events: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	page, err := s.timeline(ctx, q, limit)
	if err != nil {
		return EventsPage{}, err
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		last := page.Events[limit-1]
		page.Next = &Cursor{OccurredAt: last.OccurredAt, EventID: last.ID}
	}
	return page, nil
}

// MaxReportEvents bounds the events of one AllEvents answer: a report of
// more is refused with ErrTooManyEvents, and asked again for a shorter time.
const MaxReportEvents = 200_000

// ErrTooManyEvents is matched (errors.Is) when a subject has more events
// in the time asked than one answer holds.
var ErrTooManyEvents = fmt.Errorf("more than %d events: ask for a shorter time: %w", MaxReportEvents, ErrInvalidQuery)

// AllEvents returns every event of a subject in [From, To), newest first,
// each once, restricted ones included (an access report withholds them
// itself, and says so): what a report is built from. More than
// MaxReportEvents is ErrTooManyEvents. Safe for concurrent use.
func (s *Store) AllEvents(ctx context.Context, q EventsQuery) (EventsPage, error) {
	if !lineage.ValidSubjectID(q.SubjectID) {
		return EventsPage{}, fmt.Errorf("all events: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	q.After, q.Restricted = nil, Restricted{Include: true}
	page, err := s.timeline(ctx, q, MaxReportEvents)
	if err != nil {
		return EventsPage{}, err
	}
	if len(page.Events) > MaxReportEvents {
		return EventsPage{}, fmt.Errorf("all events: %w", ErrTooManyEvents)
	}
	return page, nil
}

// timeline reads up to limit+1 events of q's subject, newest first: one
// more than asked says whether there is more.
func (s *Store) timeline(ctx context.Context, q EventsQuery, limit int) (EventsPage, error) {
	fromUS, toUS := bounds(q.From, q.To)
	afterUS, afterID := int64(math.MaxInt64), ""
	if q.After != nil {
		// Events are stored in whole microseconds, so a cursor from a
		// previous page is exact; a finer one is rounded up, which keeps
		// "strictly before the cursor" true.
		afterUS, afterID = ceilMicros(q.After.OccurredAt), q.After.EventID
	}
	query, args, contested, err := s.subjectScope(ctx, eventsSQL, q.SubjectID, fromUS, toUS)
	if err != nil {
		return EventsPage{}, fmt.Errorf("events: %w", err)
	}
	// One row more than the page says whether there is a next page.
	rows, err := s.conn.Query(ctx, query, append(args,
		clickhouse.Named("subject_id", q.SubjectID),
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("after_us", afterUS),
		clickhouse.Named("after_id", afterID),
		clickhouse.Named("limit", limit+1),
		clickhouse.Named("visible_us", q.Restricted.visibleUS()),
	)...)
	if err != nil {
		return EventsPage{}, fmt.Errorf("query events in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	page := EventsPage{Events: make([]StoredEvent, 0, min(limit+1, 64)), Contested: contested}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return EventsPage{}, fmt.Errorf("scan events in %s: %w", s.cfg.Database, err)
		}
		resolved(&e, q.SubjectID)
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return EventsPage{}, fmt.Errorf("read events in %s: %w", s.cfg.Database, err)
	}
	return page, nil
}

// scanner is the part of driver.Rows that scanEvent needs.
type scanner interface {
	Scan(dest ...any) error
}

// scanEvent reads one row of events.sql back into the domain's shape:
// times in UTC, and nil for every optional field stored as empty.
func scanEvent(rows scanner) (StoredEvent, error) {
	var (
		e                                  StoredEvent
		kind, actorType, interest          string
		occurred, recorded                 int64
		r                                  lineage.Recipient
		mechanism, traceParent, traceState string
		attrKeys, attrValues               []string
		employee, basis                    string
		reviewUS                           int64
	)
	err := rows.Scan(&e.ID, &kind, &occurred, &recorded, &e.SourceSystem, &actorType, &e.Actor.ID,
		&e.SubjectID, &e.DataCategories, &e.Purpose, &e.LegalBasis, &interest,
		&r.ID, &r.Name, &r.Category, &r.Country, &mechanism,
		&traceParent, &traceState, &attrKeys, &attrValues, &e.Partition, &e.Offset,
		&employee, &basis, &reviewUS)
	if err != nil {
		return StoredEvent{}, err
	}
	e.Kind, e.Actor.Type = lineage.Kind(kind), lineage.ActorType(actorType)
	e.OccurredAt, e.RecordedAt = fromMicros(occurred), fromMicros(recorded)
	e.LegitimateInterest = lineage.Ptr(interest)
	e.Actor.Employee = lineage.Ptr(employee)
	if basis != "" {
		e.Restriction = &lineage.Restriction{Basis: basis, ReviewAt: fromMicros(reviewUS)}
	}
	if r.ID != "" {
		r.TransferMechanism = lineage.Ptr(mechanism)
		e.Recipient = &r
	}
	if traceParent != "" {
		e.Trace = &lineage.TraceContext{TraceParent: traceParent, TraceState: lineage.Ptr(traceState)}
	}
	if len(attrKeys) > 0 && len(attrKeys) == len(attrValues) {
		e.Attributes = make(map[string]string, len(attrKeys))
		for i, k := range attrKeys {
			e.Attributes[k] = attrValues[i]
		}
	}
	return e, nil
}

// bounds turns a query's time range into [from_us, to_us) over stored
// microseconds; a zero time leaves its side open. Both sides round up: an
// event at microsecond u is at or after From exactly when u >= ceil(From),
// and before To exactly when u < ceil(To).
func bounds(from, to time.Time) (fromUS, toUS int64) {
	fromUS, toUS = 0, math.MaxInt64 // nothing predates lineage.Earliest (2000)
	if !from.IsZero() {
		fromUS = ceilMicros(from)
	}
	if !to.IsZero() {
		toUS = ceilMicros(to)
	}
	return fromUS, toUS
}

// ceilMicros is t in microseconds since the epoch, rounded up.
func ceilMicros(t time.Time) int64 {
	us := t.UnixMicro() // rounds down, also before 1970
	if t.Nanosecond()%1000 != 0 {
		us++
	}
	return us
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
