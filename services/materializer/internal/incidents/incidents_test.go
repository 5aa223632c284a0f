package incidents_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/incidents"
	"github.com/balticom/lineage/services/materializer/internal/sink"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
)

const group = "test-incidents"

// TestSinkStoresIncidentEventsAndDeadLettersTheRest: an incident's events
// reach ClickHouse and fold into its clocks there, a retry once; an event
// that breaks a rule and a record that is not one are dead-lettered.
func TestSinkStoresIncidentEventsAndDeadLettersTheRest(t *testing.T) {
	store, _, _ := chstoretest.Fresh(t, "test_incidents_")
	id := incidenttest.IncidentID(1)
	detected := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := detected.Add(30 * time.Hour)
	valid := []incident.Event{
		incidenttest.Opened(id, 1, detected),
		incidenttest.Counted(id, 2, detected.Add(time.Minute), 120, 300, true),
		incidenttest.Notified(id, 3, detected.Add(25*time.Hour)),
	}
	invalid := incidenttest.Counted(id, 4, detected.Add(time.Hour), -1, 3, false)
	codec, err := wire.NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	var records []*kgo.Record
	for _, e := range append(valid, invalid, valid[1]) { // valid[1] again: a retried publish
		value, err := codec.Append(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Key: []byte(e.IncidentID), Value: value})
	}
	records = append(records, &kgo.Record{Key: []byte(id), Value: []byte(`{"type":"opened"}`)})

	s, err := incidents.New(sink.Config{Group: group, DeadLetter: topics.DeadLetter, Now: func() time.Time { return now }},
		store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	errs := sinktest.Run(t, topics.Incidents, group, records, s)

	stored, err := store.IncidentEvents(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := incident.Fold(stored, now)
	if err != nil {
		t.Fatal(err)
	}
	// Notified 25 h after detection: late for the 24-hour clock, in time
	// for the 72-hour one.
	if len(stored) != len(valid) || st.Clocks[0].Status != incident.ClockLate || st.Clocks[1].Status != incident.ClockMet {
		t.Errorf("stored %d events (want %d), clocks %+v", len(stored), len(valid), st.Clocks)
	}
	if e, ok := errs[deadletter.ReasonInvalid]; !ok || !strings.Contains(e, "subjects") {
		t.Errorf("dead letters %v: want %s naming subjects", errs, deadletter.ReasonInvalid)
	}
	if _, ok := errs[wire.ReasonUnknownFormat]; !ok || len(errs) != 2 {
		t.Errorf("dead letters %v: want one %s and one %s", errs, deadletter.ReasonInvalid, wire.ReasonUnknownFormat)
	}
}
