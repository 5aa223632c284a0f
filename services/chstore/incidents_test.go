package chstore

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
)

func insertIncidentEvents(t *testing.T, s *Store, offset int64, events ...incident.Event) {
	t.Helper()
	stored := make([]StoredIncidentEvent, len(events))
	for i, e := range events {
		stored[i] = StoredIncidentEvent{Event: e, Partition: 3, Offset: offset + int64(i)}
	}
	if err := s.InsertIncidentEvents(t.Context(), stored); err != nil {
		t.Fatalf("InsertIncidentEvents: %v", err)
	}
}

// TestIncidentEvents: every field of every type comes back as stored, each
// event id once though stored twice; a closed incident is not open.
func TestIncidentEvents(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	open, closed := incidenttest.IncidentID(1), incidenttest.IncidentID(2)
	detected := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	events := []incident.Event{
		incidenttest.Opened(open, 1, detected),
		incidenttest.Counted(open, 2, detected.Add(time.Minute), 1234, 5678, true),
		incidenttest.Counted(open, 3, detected.Add(time.Hour), 0, 0, false), // an exact zero is a count
		incidenttest.Notified(open, 4, detected.Add(20*time.Hour)),
	}
	insertIncidentEvents(t, s, 0, append(events, incidenttest.Opened(closed, 5, detected), incidenttest.Closed(closed, 6, detected.Add(time.Hour)))...)
	insertIncidentEvents(t, s, 10, events[1]) // a retry

	got, err := s.IncidentEvents(ctx, open)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(es []incident.Event) []incident.Event {
		out := slices.Clone(es)
		slices.SortFunc(out, func(a, b incident.Event) int { return strings.Compare(a.EventID, b.EventID) })
		return out
	}
	if !reflect.DeepEqual(byID(got), byID(events)) {
		t.Errorf("IncidentEvents\n got %+v\nwant %+v", byID(got), byID(events))
	}
	st, err := incident.Fold(got, detected.Add(30*time.Hour))
	if err != nil || st.Exact == nil || st.Exact.Subjects != 0 || st.Approximate == nil || st.Approximate.Subjects != 1234 || st.Notified == nil {
		t.Errorf("folded %+v, %v", st, err)
	}
	openOnes, err := s.OpenIncidentEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(openOnes) != 1 || len(openOnes[0]) != len(events) || openOnes[0][0].IncidentID != open {
		t.Errorf("open incidents %+v", openOnes)
	}
	if _, err := s.IncidentEvents(ctx, "AR-2026-00000001"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("an access request id: %v", err)
	}
}
