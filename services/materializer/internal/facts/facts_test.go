package facts_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/facts"
	"github.com/balticom/lineage/services/materializer/internal/sink"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
)

const group = "test-facts"

// TestSinkStoresFactsAndDeadLettersTheRest: a subject's facts reach
// ClickHouse, a retried fact once; a fact that breaks a rule and a record
// that is not a fact go to the dead-letter topic with their reasons.
func TestSinkStoresFactsAndDeadLettersTheRest(t *testing.T) {
	store, _, _ := chstoretest.Fresh(t, "test_facts_")
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fact := func(n int, typ subjectfact.Type) subjectfact.Fact {
		return subjectfact.Fact{ID: "6f1c3a52-8d0e-4b7a-9c21-3e5f7a9b1c0" + string(rune('0'+n)), Type: typ,
			At: at.Add(time.Duration(n) * time.Hour), RecordedAt: at.Add(time.Duration(n) * time.Hour),
			SourceSystem: "crm", Actor: "crm-consents", SubjectID: "C00000042"}
	}
	withdrawn := fact(1, subjectfact.ConsentWithdrawn)
	withdrawn.Purpose, withdrawn.Channel = "planning_analytics", "app"
	requested := fact(2, subjectfact.ErasureRequested)
	invalid := fact(3, subjectfact.OptedOut) // no channel
	codec, err := wire.NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	var records []*kgo.Record
	for _, f := range []subjectfact.Fact{withdrawn, requested, invalid, requested} { // requested again: a retried publish
		value, err := codec.Append(nil, &f)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Key: []byte(f.SubjectID), Value: value})
	}
	records = append(records, &kgo.Record{Key: []byte("C00000042"), Value: []byte(`{"type":"opted_out"}`)})

	s, err := facts.New(sink.Config{Group: group, DeadLetter: topics.DeadLetter, Now: func() time.Time { return at.Add(24 * time.Hour) }},
		store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	errs := sinktest.Run(t, topics.Facts, group, records, s)

	stored, err := store.SubjectFacts(t.Context(), "C00000042")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 {
		t.Errorf("stored %+v, want the withdrawal and the erasure request once each", stored)
	}
	if e, ok := errs[deadletter.ReasonInvalid]; !ok || !strings.Contains(e, "channel: must be one of") {
		t.Errorf("dead letters %v: want %s naming channel", errs, deadletter.ReasonInvalid)
	}
	if _, ok := errs[wire.ReasonUnknownFormat]; !ok || len(errs) != 2 {
		t.Errorf("dead letters %v: want one %s and one %s", errs, deadletter.ReasonInvalid, wire.ReasonUnknownFormat)
	}
}
