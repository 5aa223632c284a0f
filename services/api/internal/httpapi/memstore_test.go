package httpapi

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/balticom/lineage/services/chstore"
)

// memStore is an in-memory Store with chstore's semantics for one page of a
// timeline: newest first by (occurred_at, event_id), keyset paged. It counts
// calls so that tests can tell whether the store was asked at all.
type memStore struct {
	mu         sync.Mutex
	recipients map[string][]chstore.RecipientSummary
	events     []chstore.StoredEvent
	unresolved []chstore.UnresolvedCount
	err        error
	calls      int
}

func (m *memStore) Recipients(ctx context.Context, q chstore.RecipientsQuery) ([]chstore.RecipientSummary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return nil, m.err
	}
	return slices.Clone(m.recipients[q.SubjectID]), nil
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
	var page chstore.EventsPage
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
