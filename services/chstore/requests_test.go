package chstore

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
)

func insertRequestEvents(t *testing.T, s *Store, offset int64, events ...accessrequest.Event) {
	t.Helper()
	stored := make([]StoredRequestEvent, len(events))
	for i, e := range events {
		stored[i] = StoredRequestEvent{Event: e, Partition: 1, Offset: offset + int64(i)}
	}
	if err := s.InsertRequestEvents(t.Context(), stored); err != nil {
		t.Fatalf("InsertRequestEvents: %v", err)
	}
}

// sortedByID returns events in event id order with times in UTC at
// microseconds, as the store gives them back.
func sortedByID(events []accessrequest.Event) []accessrequest.Event {
	out := slices.Clone(events)
	for i := range out {
		e := &out[i]
		e.At, e.RecordedAt = e.At.UTC().Truncate(time.Microsecond), e.RecordedAt.UTC().Truncate(time.Microsecond)
		if !e.SubjectToldAt.IsZero() {
			e.SubjectToldAt = e.SubjectToldAt.UTC().Truncate(time.Microsecond)
		}
	}
	slices.SortFunc(out, func(a, b accessrequest.Event) int { return strings.Compare(a.EventID, b.EventID) })
	return out
}

// TestRequestEvents: every field of every type comes back as stored, each
// event id once though stored twice, in two parts.
func TestRequestEvents(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	id := accessrequesttest.RequestID(1)
	received := time.Date(2026, 1, 31, 16, 45, 0, 123456789, time.UTC)
	events := []accessrequest.Event{
		accessrequesttest.Received(id, 1, received),
		accessrequesttest.IdentityChecked(id, 2, received.Add(time.Hour), "C00000042"),
		accessrequesttest.Extended(id, 3, received.Add(48*time.Hour), 2, received.Add(49*time.Hour)),
		accessrequesttest.Answered(id, 4, received.Add(60*24*time.Hour)),
	}
	other := accessrequesttest.Received(accessrequesttest.RequestID(2), 5, received)
	insertRequestEvents(t, s, 0, append(events, other)...)
	insertRequestEvents(t, s, 10, events[1], events[3]) // a replay

	got, err := s.RequestEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := sortedByID(events); !reflect.DeepEqual(sortedByID(got), want) {
		t.Errorf("RequestEvents\n got %+v\nwant %+v", got, want)
	}
	if got, err := s.RequestEvents(ctx, accessrequesttest.RequestID(3)); err != nil || len(got) != 0 {
		t.Errorf("a request never stored: %v, %v; want none", got, err)
	}
	if _, err := s.RequestEvents(ctx, "C00000042"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("a customer id as request id: %v, want ErrInvalidQuery", err)
	}
}

// TestOpenRequestEvents: the requests without an answer or a refusal, each
// with all its events once; a request recorded without its receipt is open
// too, for the DPO to see.
func TestOpenRequestEvents(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	received := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	open, answered, refused, noReceipt := accessrequesttest.RequestID(4), accessrequesttest.RequestID(1),
		accessrequesttest.RequestID(2), accessrequesttest.RequestID(3)
	openEvents := []accessrequest.Event{
		accessrequesttest.Received(open, 1, received),
		accessrequesttest.IdentityChecked(open, 2, received.Add(time.Hour), "C00000042"),
		accessrequesttest.Extended(open, 3, received.Add(2*time.Hour), 1, received.Add(2*time.Hour)),
	}
	noReceiptEvents := []accessrequest.Event{accessrequesttest.IdentityChecked(noReceipt, 4, received, "C00000043")}
	insertRequestEvents(t, s, 0, append(slices.Clone(openEvents),
		accessrequesttest.Received(answered, 5, received),
		accessrequesttest.Answered(answered, 6, received.Add(24*time.Hour)),
		accessrequesttest.Received(refused, 7, received),
		noReceiptEvents[0],
	)...)
	// In another part: the refusal, and copies of an open request's events.
	insertRequestEvents(t, s, 10, accessrequesttest.Refused(refused, 8, received.Add(time.Hour)), openEvents[0], openEvents[2])

	got, err := s.OpenRequestEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("OpenRequestEvents: %d requests (%v), want %s and %s", len(got), got, noReceipt, open)
	}
	if want := sortedByID(noReceiptEvents); !reflect.DeepEqual(sortedByID(got[0]), want) {
		t.Errorf("first request\n got %+v\nwant %+v", got[0], want)
	}
	if want := sortedByID(openEvents); !reflect.DeepEqual(sortedByID(got[1]), want) {
		t.Errorf("second request\n got %+v\nwant %+v", got[1], want)
	}
	r, err := accessrequest.Fold(got[1])
	if err != nil || r.Status != accessrequest.StatusOpen || r.Due() != (accessrequest.Date{Year: 2026, Month: time.May, Day: 5}) {
		t.Errorf("the open request folds to %+v, %v; want open, due 5 May 2026 (2 May is a Saturday, 4 May a holiday)", r, err)
	}
}
