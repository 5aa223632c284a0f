package requests_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/requests"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
)

const group = "test-requests"

// TestSinkStoresRequestEventsAndDeadLettersTheRest: the events of a
// request reach ClickHouse and fold into its state there; an event that
// breaks a rule and a record that is not an event go to the dead-letter
// topic with their reasons; the group commits all of it.
func TestSinkStoresRequestEventsAndDeadLettersTheRest(t *testing.T) {
	ctx := t.Context()
	store, _, _ := chstoretest.Fresh(t, "test_requests_")

	id := accessrequesttest.RequestID(1)
	received := time.Date(2026, 1, 31, 14, 0, 0, 0, time.UTC)
	now := received.Add(40 * 24 * time.Hour)
	valid := []accessrequest.Event{
		accessrequesttest.Received(id, 1, received),
		accessrequesttest.IdentityChecked(id, 2, received.Add(time.Hour), "C00000042"),
		accessrequesttest.Extended(id, 3, received.Add(24*time.Hour), 1, received.Add(24*time.Hour)),
	}
	invalid := accessrequesttest.Extended(id, 4, received.Add(48*time.Hour), 3, received.Add(48*time.Hour))
	codec, err := wire.NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	var records []*kgo.Record
	for _, e := range append(valid, invalid, valid[1]) { // valid[1] again: a retried publish
		value, err := codec.Append(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Key: []byte(e.RequestID), Value: value})
	}
	records = append(records, &kgo.Record{Key: []byte(id), Value: []byte(`{"type":"received"}`)})
	sink, err := requests.New(requests.Config{Group: group, DeadLetter: topics.DeadLetter, Now: func() time.Time { return now }},
		store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	errs := sinktest.Run(t, topics.Requests, group, records, sink)

	stored, err := store.RequestEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := accessrequest.Fold(stored)
	if err != nil {
		t.Fatal(err)
	}
	// 28 February 2026 is a Saturday: the first month ends Monday 2 March;
	// extended by one month, counted from receipt, 31 March.
	if len(stored) != len(valid) || r.SubjectID != "C00000042" || r.Deadline.String() != "2026-03-02" ||
		!r.Extended || r.ExtendedDeadline.String() != "2026-03-31" || len(r.Problems) != 0 {
		t.Errorf("stored %d events (want %d), folded to %+v", len(stored), len(valid), r)
	}

	if e, ok := errs[deadletter.ReasonInvalid]; !ok || !strings.Contains(e, "extension_months: must be 1 or 2") {
		t.Errorf("dead letters %v: want %s naming extension_months", errs, deadletter.ReasonInvalid)
	}
	if _, ok := errs[wire.ReasonUnknownFormat]; !ok || len(errs) != 2 {
		t.Errorf("dead letters %v: want one %s and one %s", errs, deadletter.ReasonInvalid, wire.ReasonUnknownFormat)
	}
}
