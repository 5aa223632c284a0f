package httpapi

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/chstore"
)

// memStore is an in-memory Store with chstore's semantics for one page of a
// timeline: newest first by (occurred_at, event_id), keyset paged. It counts
// calls so that tests can tell whether the store was asked at all.
type memStore struct {
	mu         sync.Mutex
	recipients map[string][]chstore.RecipientSummary
	contested  map[string][]chstore.ContestedWindow
	events     []chstore.StoredEvent
	unresolved []chstore.UnresolvedCount
	holders    map[lineage.Identifier][]chstore.Holding
	requestLog []accessrequest.Event
	err        error
	calls      int
}

func (m *memStore) Recipients(ctx context.Context, q chstore.RecipientsQuery) (chstore.RecipientsAnswer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return chstore.RecipientsAnswer{}, m.err
	}
	return chstore.RecipientsAnswer{
		Recipients: slices.Clone(m.recipients[q.SubjectID]),
		Contested:  m.contestedIn(q.SubjectID, q.From, q.To),
	}, nil
}

// contestedIn returns the subject's contested windows clipped to
// [from, to), as chstore clips them; a zero bound is open.
func (m *memStore) contestedIn(subject string, from, to time.Time) []chstore.ContestedWindow {
	var out []chstore.ContestedWindow
	for _, c := range m.contested[subject] {
		if !from.IsZero() && c.From.Before(from) {
			c.From = from
		}
		if !to.IsZero() && (c.To.IsZero() || to.Before(c.To)) {
			c.To = to
		}
		if c.To.IsZero() || c.From.Before(c.To) {
			out = append(out, c)
		}
	}
	return out
}

func (m *memStore) Unresolved(ctx context.Context) ([]chstore.UnresolvedCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return nil, m.err
	}
	return slices.Clone(m.unresolved), nil
}

func (m *memStore) Events(ctx context.Context, q chstore.EventsQuery) (chstore.EventsPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return chstore.EventsPage{}, m.err
	}
	var match []chstore.StoredEvent
	for _, e := range m.events {
		switch {
		case e.SubjectID != q.SubjectID,
			e.RestrictedAt(cmp.Or(q.Restricted.Now, time.Now())) && !q.Restricted.Include,
			!q.From.IsZero() && e.OccurredAt.Before(q.From),
			!q.To.IsZero() && !e.OccurredAt.Before(q.To):
			continue
		case q.After != nil && compareEvent(e, q.After.OccurredAt.UnixMicro(), q.After.EventID) >= 0:
			continue
		}
		match = append(match, e)
	}
	slices.SortFunc(match, func(a, b chstore.StoredEvent) int {
		return -compareEvent(a, b.OccurredAt.UnixMicro(), b.ID)
	})
	page := chstore.EventsPage{Contested: m.contestedIn(q.SubjectID, q.From, q.To)}
	if len(match) > q.Limit {
		match = match[:q.Limit]
		last := match[len(match)-1]
		page.Next = &chstore.Cursor{OccurredAt: last.OccurredAt, EventID: last.ID}
	}
	page.Events = match
	return page, nil
}

func (m *memStore) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// compareEvent orders e against the position (us, id), ascending.
func compareEvent(e chstore.StoredEvent, us int64, id string) int {
	return cmp.Or(cmp.Compare(e.OccurredAt.UnixMicro(), us), cmp.Compare(e.ID, id))
}

// AllEvents answers every matching event, restricted ones included, as
// chstore does.
func (m *memStore) AllEvents(ctx context.Context, q chstore.EventsQuery) (chstore.EventsPage, error) {
	q.Limit, q.After, q.Restricted = math.MaxInt, nil, chstore.Restricted{Include: true}
	return m.Events(ctx, q)
}

func (m *memStore) Holders(ctx context.Context, id lineage.Identifier) ([]chstore.Holding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	return slices.Clone(m.holders[id]), m.err
}

func (m *memStore) RequestEvents(ctx context.Context, id string) ([]accessrequest.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []accessrequest.Event
	for _, e := range m.requestLog {
		if e.RequestID == id {
			out = append(out, e)
		}
	}
	return out, m.err
}

func (m *memStore) OpenRequestEvents(ctx context.Context) ([][]accessrequest.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byID := map[string][]accessrequest.Event{}
	var ids []string
	for _, e := range m.requestLog {
		if byID[e.RequestID] == nil {
			ids = append(ids, e.RequestID)
		}
		byID[e.RequestID] = append(byID[e.RequestID], e)
	}
	var out [][]accessrequest.Event
	for _, id := range ids {
		closed := slices.ContainsFunc(byID[id], func(e accessrequest.Event) bool {
			return e.Type == accessrequest.Answered || e.Type == accessrequest.Refused
		})
		if !closed {
			out = append(out, byID[id])
		}
	}
	return out, nil
}

// RecordRequest makes memStore its own request log: what the materializer
// does through Kafka and ClickHouse, at once.
func (m *memStore) RecordRequest(ctx context.Context, e accessrequest.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requestLog = append(m.requestLog, e)
	return nil
}

// The breach and register questions are answered by the real store in
// exposure_test.go and register_test.go; the in-memory store has none.
func (m *memStore) Exposure(context.Context, chstore.ExposureQuery) (chstore.Exposure, error) {
	return chstore.Exposure{}, m.err
}

func (m *memStore) ExposedSubjects(context.Context, chstore.ExposureQuery, string, int) ([]chstore.ExposedSubject, error) {
	return nil, m.err
}

func (m *memStore) ExposedSubject(context.Context, chstore.ExposureQuery, string) (chstore.ExposedSubject, bool, error) {
	return chstore.ExposedSubject{}, false, m.err
}

func (m *memStore) Flows(context.Context) ([]register.Flow, error) { return nil, m.err }

// The facts and their flags are answered by the real store in
// facts_test.go; the in-memory store has none.
func (m *memStore) SubjectFacts(context.Context, string) ([]subjectfact.Fact, error) {
	return nil, m.err
}

func (m *memStore) ConsentFlags(context.Context, time.Time, time.Time) ([]subjectfact.Flag, error) {
	return nil, m.err
}

func (m *memStore) Erasures(context.Context, int) ([]chstore.ErasureRequest, error) {
	return nil, m.err
}

func (m *memStore) RecordFact(context.Context, subjectfact.Fact) error { return m.err }

// The breach record is answered by the real store in incidents_test.go.
func (m *memStore) EstimateExposure(context.Context, chstore.ExposureQuery) (uint64, uint64, error) {
	return 0, 0, m.err
}

func (m *memStore) IncidentEvents(context.Context, string) ([]incident.Event, error) {
	return nil, m.err
}

func (m *memStore) OpenIncidentEvents(context.Context) ([][]incident.Event, error) { return nil, m.err }

func (m *memStore) RecordIncident(context.Context, incident.Event) error { return m.err }

// Retention is answered by the real store in retention_test.go.
func (m *memStore) Retention(context.Context, chstore.RetentionQuery) (chstore.RetentionAnswer, error) {
	return chstore.RetentionAnswer{}, m.err
}

func (m *memStore) RetainedDataStatistics(context.Context, int) (chstore.RetainedDataStatistics, error) {
	return chstore.RetainedDataStatistics{}, m.err
}

// The dashboard is answered by the real store in dashboard_test.go.
func (m *memStore) Overview(context.Context, chstore.OverviewQuery) (chstore.Overview, error) {
	return chstore.Overview{}, m.err
}

func (m *memStore) EventList(context.Context, chstore.EventListQuery) (chstore.EventsPage, error) {
	return chstore.EventsPage{}, m.err
}

func (m *memStore) Lineage(context.Context, chstore.LineageQuery) (chstore.LineageAnswer, error) {
	return chstore.LineageAnswer{}, m.err
}
