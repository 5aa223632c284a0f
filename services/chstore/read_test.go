package chstore

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// t0 is the fixture's reference time; it has whole microseconds, as stored.
var t0 = lineagetest.Base

// insert stores events in one batch, the i-th at Kafka offset offset+i of
// partition 0.
func insert(t *testing.T, s *Store, offset int64, events ...lineage.Event) {
	t.Helper()
	b := NewBatch(len(events))
	for i := range events {
		b.Add(&events[i], 0, offset+int64(i))
	}
	if err := s.Insert(t.Context(), b); err != nil {
		t.Fatalf("Insert: %v", err)
	}
}

// stopMerges keeps every stored copy of an event in its own part, so that a
// test sees what a query sees before ReplacingMergeTree merges.
func stopMerges(t *testing.T, s *Store) {
	t.Helper()
	if err := s.conn.Exec(t.Context(), "SYSTEM STOP MERGES "+s.cfg.Database+".lineage_events"); err != nil {
		t.Fatalf("stop merges: %v", err)
	}
}

func storedRows(t *testing.T, s *Store) uint64 {
	t.Helper()
	var n uint64
	if err := s.conn.QueryRow(t.Context(), "SELECT count() FROM lineage_events").Scan(&n); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return n
}

// recipientsFixture is one subject's events: a bank seen twice, a vendor
// seen under two countries, a debt collector that changed its name, and an
// access and another subject's transfer that must not show.
func recipientsFixture() []lineage.Event {
	subject := lineagetest.Subject(1)

	t1 := lineagetest.Transfer(lineagetest.UUID(1), subject, t0)

	t2 := lineagetest.Transfer(lineagetest.UUID(2), subject, t0.Add(time.Hour))
	t2.DataCategories = []string{"transaction", "billing"}
	t2.Purpose, t2.LegalBasis = "credit_and_debt", "legal_obligation"

	h1 := lineagetest.Handoff(lineagetest.UUID(3), subject, t0.Add(2*time.Hour))

	h2 := lineagetest.Handoff(lineagetest.UUID(4), subject, t0.Add(3*time.Hour))
	h2.DataCategories = []string{"customer"}
	r := *h2.Recipient
	r.Country, r.Name = "US", "Acme Software Inc"
	h2.Recipient = &r

	a1 := lineagetest.Access(lineagetest.UUID(5), subject, t0.Add(4*time.Hour))

	d1 := lineagetest.Transfer(lineagetest.UUID(6), subject, t0.Add(-24*time.Hour))
	d1.DataCategories = []string{"billing"}
	d1.Purpose, d1.LegalBasis, d1.LegitimateInterest = "credit_and_debt", "legitimate_interest", lineage.Ptr("7.3")
	d1.Recipient = &lineage.Recipient{ID: "rcp-collector", Name: "Old Collector SIA", Category: "debt_collector", Country: "LV"}

	d2 := lineagetest.Transfer(lineagetest.UUID(7), subject, t0.Add(-23*time.Hour))
	d2.Kind = lineage.ProcessorHandoff
	d2.DataCategories = []string{"contact", "billing"}
	d2.Purpose = "credit_and_debt"
	d2.Recipient = &lineage.Recipient{ID: "rcp-collector", Name: "Intrum Latvia SIA", Category: "debt_collector", Country: "LV"}

	other := lineagetest.Transfer(lineagetest.UUID(8), lineagetest.Subject(2), t0.Add(5*time.Hour))

	return []lineage.Event{t1, t2, h1, h2, a1, d1, d2, other}
}

// The expected summaries of recipientsFixture, computed by hand.
var (
	acmeUS = RecipientSummary{
		ID: "rcp-vendor-acme-in", Name: "Acme Software Inc", Category: "processor", Country: "US",
		TransferMechanism: "standard_contractual_clauses", Kinds: []string{"processor_handoff"},
		DataCategories: []string{"customer"}, Purposes: []string{"service_provision"},
		LegalBases: []string{"legitimate_interest"}, First: t0.Add(3 * time.Hour), Last: t0.Add(3 * time.Hour), Events: 1,
	}
	acmeIN = RecipientSummary{
		ID: "rcp-vendor-acme-in", Name: "Acme Software Pvt Ltd", Category: "processor", Country: "IN",
		TransferMechanism: "standard_contractual_clauses", Kinds: []string{"processor_handoff"},
		DataCategories: []string{"crm_activity", "customer"}, Purposes: []string{"service_provision"},
		LegalBases: []string{"legitimate_interest"}, First: t0.Add(2 * time.Hour), Last: t0.Add(2 * time.Hour), Events: 1,
	}
	bank = RecipientSummary{
		ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV",
		Kinds: []string{"transfer"}, DataCategories: []string{"billing", "identification", "transaction"},
		Purposes: []string{"credit_and_debt", "service_provision"}, LegalBases: []string{"contract", "legal_obligation"},
		First: t0, Last: t0.Add(time.Hour), Events: 2,
	}
	bankT1 = RecipientSummary{
		ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV",
		Kinds: []string{"transfer"}, DataCategories: []string{"billing", "identification"},
		Purposes: []string{"service_provision"}, LegalBases: []string{"contract"},
		First: t0, Last: t0, Events: 1,
	}
	bankT2 = RecipientSummary{
		ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV",
		Kinds: []string{"transfer"}, DataCategories: []string{"billing", "transaction"},
		Purposes: []string{"credit_and_debt"}, LegalBases: []string{"legal_obligation"},
		First: t0.Add(time.Hour), Last: t0.Add(time.Hour), Events: 1,
	}
	collector = RecipientSummary{
		ID: "rcp-collector", Name: "Intrum Latvia SIA", Category: "debt_collector", Country: "LV",
		Kinds: []string{"processor_handoff", "transfer"}, DataCategories: []string{"billing", "contact"},
		Purposes: []string{"credit_and_debt"}, LegalBases: []string{"contract", "legitimate_interest"},
		First: t0.Add(-24 * time.Hour), Last: t0.Add(-23 * time.Hour), Events: 2,
	}
)

// recipientsCases are the fixture's queries and answers; the bounds check
// From inclusive, To exclusive, and rounding of times finer than stored.
var recipientsCases = []struct {
	name     string
	from, to time.Time
	want     []RecipientSummary
}{
	{"all", time.Time{}, time.Time{}, []RecipientSummary{acmeUS, acmeIN, bank, collector}},
	{"from inclusive to exclusive", t0.Add(time.Hour), t0.Add(3 * time.Hour), []RecipientSummary{acmeIN, bankT2}},
	{"from a nanosecond after an event", t0.Add(time.Hour + time.Nanosecond), t0.Add(3*time.Hour + time.Microsecond), []RecipientSummary{acmeUS, acmeIN}},
	{"from only", t0.Add(3 * time.Hour), time.Time{}, []RecipientSummary{acmeUS}},
	{"to excludes an event at to", time.Time{}, t0, []RecipientSummary{collector}},
	{"to a nanosecond after an event", time.Time{}, t0.Add(time.Nanosecond), []RecipientSummary{bankT1, collector}},
	{"after everything", t0.Add(6 * time.Hour), time.Time{}, nil},
	{"empty range", t0.Add(time.Hour), t0.Add(time.Hour), nil},
}

func checkRecipients(t *testing.T, s *Store, subject string) {
	t.Helper()
	for _, tt := range recipientsCases {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject, From: tt.from, To: tt.to})
			if err != nil {
				t.Fatalf("Recipients: %v", err)
			}
			if got := answer.Recipients; !reflect.DeepEqual(got, tt.want) || answer.Contested != nil {
				t.Errorf("Recipients:\n got %s\nwant %s", summaries(got), summaries(tt.want))
			}
		})
	}
}

func summaries(rs []RecipientSummary) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %+v", r)
	}
	return b.String()
}

func TestRecipients(t *testing.T) {
	s := newMigratedStore(t)
	insert(t, s, 0, recipientsFixture()...)
	checkRecipients(t, s, lineagetest.Subject(1))

	got, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: lineagetest.Subject(3)})
	if err != nil || len(got.Recipients) != 0 {
		t.Errorf("Recipients of a subject without events = %v, %v; want none", got, err)
	}
}

func TestRetriesDoNotChangeAnswers(t *testing.T) {
	s := newMigratedStore(t)
	stopMerges(t, s)
	events := recipientsFixture()
	subject := lineagetest.Subject(1)

	// A retried insert holding each event twice at the same offset, then a
	// replay from Kafka: the same events at later offsets.
	b := NewBatch(2 * len(events))
	for i := range events {
		b.Add(&events[i], 0, int64(i))
		b.Add(&events[i], 0, int64(i))
	}
	if err := s.Insert(t.Context(), b); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	insert(t, s, 1000, events...)
	if n, want := storedRows(t, s), uint64(3*len(events)); n != want {
		t.Fatalf("stored %d rows, want %d: the copies must be there for this test to mean anything", n, want)
	}

	checkRecipients(t, s, subject)
	want := timeline(events, subject)
	for i := range want {
		want[i].Offset = int64(slices.IndexFunc(events, func(e lineage.Event) bool { return e.ID == want[i].ID }))
	}
	if got := readTimeline(t, s, EventsQuery{SubjectID: subject, Limit: 3}); !reflect.DeepEqual(got, want) {
		t.Errorf("timeline with copies:\n got %v\nwant %v", ids(got), ids(want))
	}
}

// timeline returns the subject's events in timeline order, as stored
// events at partition 0 and offset 0.
func timeline(events []lineage.Event, subject string) []StoredEvent {
	var out []StoredEvent
	for _, e := range events {
		if e.SubjectID == subject {
			out = append(out, StoredEvent{Event: e})
		}
	}
	slices.SortFunc(out, func(a, b StoredEvent) int {
		if c := b.OccurredAt.Compare(a.OccurredAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// readTimeline follows Next through every page.
func readTimeline(t *testing.T, s *Store, q EventsQuery) []StoredEvent {
	t.Helper()
	var out []StoredEvent
	for range 1000 {
		page, err := s.Events(t.Context(), q)
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		out = append(out, page.Events...)
		if page.Next == nil {
			return out
		}
		q.After = page.Next
	}
	t.Fatal("timeline does not end")
	return nil
}

func ids(events []StoredEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID[len(e.ID)-4:] + "@" + e.OccurredAt.Format("15:04:05")
	}
	return out
}

func TestEventsPaging(t *testing.T) {
	s := newMigratedStore(t)
	stopMerges(t, s)
	subject := lineagetest.Subject(1)

	// 25 events of the subject in groups of three at one time, so pages
	// split ties on occurred_at; ids out of time order; and another
	// subject's events in between. Each stored twice.
	var events []lineage.Event
	for i := range 25 {
		id := lineagetest.UUID(uint64((i * 7) % 25))
		events = append(events, lineagetest.Access(id, subject, t0.Add(time.Duration(i/3)*time.Second)))
		events = append(events, lineagetest.Transfer(lineagetest.UUID(uint64(100+i)), lineagetest.Subject(2), t0.Add(time.Duration(i)*time.Second)))
	}
	insert(t, s, 0, events...)
	insert(t, s, 0, events...)
	all := timeline(events, subject)
	for i := range all {
		all[i].Offset = int64(slices.IndexFunc(events, func(e lineage.Event) bool { return e.ID == all[i].ID }))
	}

	tests := []struct {
		name     string
		q        EventsQuery
		want     []StoredEvent
		wantLens []int
	}{
		{"limit 10", EventsQuery{Limit: 10}, all, []int{10, 10, 5}},
		{"limit 5 divides", EventsQuery{Limit: 5}, all, []int{5, 5, 5, 5, 5}},
		{"limit 25 one page", EventsQuery{Limit: 25}, all, []int{25}},
		{"default limit", EventsQuery{}, all, []int{25}},
		{"over max limit", EventsQuery{Limit: MaxLimit + 1}, all, []int{25}},
		{"from inclusive to exclusive", EventsQuery{Limit: 4, From: t0.Add(2 * time.Second), To: t0.Add(5 * time.Second)}, all[10:19], []int{4, 4, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.SubjectID = subject
			var got []StoredEvent
			var lens []int
			for len(lens) < 10 {
				page, err := s.Events(t.Context(), q)
				if err != nil {
					t.Fatalf("Events: %v", err)
				}
				got = append(got, page.Events...)
				lens = append(lens, len(page.Events))
				if page.Next == nil {
					break
				}
				last := page.Events[len(page.Events)-1]
				if page.Next.EventID != last.ID || !page.Next.OccurredAt.Equal(last.OccurredAt) {
					t.Fatalf("Next = %+v, not the page's last event", page.Next)
				}
				q.After = page.Next
			}
			if !slices.Equal(lens, tt.wantLens) {
				t.Errorf("page sizes = %v, want %v", lens, tt.wantLens)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("timeline:\n got %v\nwant %v", ids(got), ids(tt.want))
			}
		})
	}
}

func TestEventsRoundTrip(t *testing.T) {
	s := newMigratedStore(t)
	subject := lineagetest.Subject(1)

	access := lineagetest.Access(lineagetest.UUID(1), subject, t0)
	access.Attributes = map[string]string{"ticket": "CC-1", "channel": "phone", "empty": ""}
	access.Actor.Employee = lineage.Ptr("E1042")

	handoff := lineagetest.Handoff(lineagetest.UUID(2), subject, t0.Add(time.Second))
	handoff.Trace = &lineage.TraceContext{
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		TraceState:  lineage.Ptr("vendor=x"),
	}

	transfer := lineagetest.Transfer(lineagetest.UUID(3), subject, t0.Add(2*time.Second))
	transfer.Trace = &lineage.TraceContext{TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-00"}
	transfer.RecordedAt = transfer.OccurredAt.Add(36 * time.Hour)
	// Lapsed long ago, so the subject's view shows it.
	transfer.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: t0.Add(time.Hour)}

	// Stored as the input is, except that an empty attribute map comes back
	// nil and times come back in UTC.
	noAttrs := lineagetest.Access(lineagetest.UUID(4), subject, t0.Add(3*time.Second).In(time.FixedZone("EET", 2*3600)))
	noAttrs.RecordedAt = noAttrs.RecordedAt.In(time.FixedZone("EET", 2*3600))
	noAttrs.Attributes = map[string]string{}

	b := NewBatch(4)
	for i, e := range []lineage.Event{access, handoff, transfer, noAttrs} {
		b.Add(&e, int32(i), int64(100+i))
	}
	if err := s.Insert(t.Context(), b); err != nil {
		t.Fatalf("Insert: %v", err)
	}

	wantNoAttrs := noAttrs
	wantNoAttrs.OccurredAt, wantNoAttrs.RecordedAt = noAttrs.OccurredAt.UTC(), noAttrs.RecordedAt.UTC()
	wantNoAttrs.Attributes = nil
	want := []StoredEvent{
		{Event: wantNoAttrs, Partition: 3, Offset: 103},
		{Event: transfer, Partition: 2, Offset: 102},
		{Event: handoff, Partition: 1, Offset: 101},
		{Event: access, Partition: 0, Offset: 100},
	}
	page, err := s.Events(t.Context(), EventsQuery{SubjectID: subject})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if page.Next != nil {
		t.Errorf("Next = %+v on the only page", page.Next)
	}
	if len(page.Events) != len(want) {
		t.Fatalf("got %d events, want %d", len(page.Events), len(want))
	}
	for i := range want {
		if got := page.Events[i]; !reflect.DeepEqual(got, want[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
	if e := page.Events[3]; e.Recipient != nil || e.LegitimateInterest != nil || e.Trace != nil {
		t.Errorf("absent optional fields of an access came back set: %+v", e)
	}
	if e := page.Events[1]; e.Recipient.TransferMechanism != nil || e.Trace.TraceState != nil {
		t.Errorf("absent optional fields of a transfer came back set: %+v", e)
	}
}

// TestRestrictedDisclosures: a restricted disclosure is left out of the
// subject's recipients and timeline until its review time, shown to the
// DPO throughout, and in AllEvents (a report withholds it itself).
func TestRestrictedDisclosures(t *testing.T) {
	s := newMigratedStore(t)
	subject := lineagetest.Subject(7)
	review := t0.Add(30 * 24 * time.Hour)
	police := lineagetest.Transfer(lineagetest.UUID(1), subject, t0)
	police.Recipient = &lineage.Recipient{ID: "rcp-state-police", Name: "Valsts policija", Category: "law_enforcement", Country: "LV"}
	police.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: review}
	bank := lineagetest.Transfer(lineagetest.UUID(2), subject, t0.Add(time.Hour))
	insert(t, s, 0, police, bank)

	for _, tc := range []struct {
		name       string
		restricted Restricted
		want       []string // recipient ids, newest first
	}{
		{"before review", Restricted{Now: review.Add(-time.Microsecond)}, []string{bank.Recipient.ID}},
		{"at review", Restricted{Now: review}, []string{bank.Recipient.ID, police.Recipient.ID}},
		{"DPO before review", Restricted{Include: true, Now: t0}, []string{bank.Recipient.ID, police.Recipient.ID}},
		{"default: now, long after review", Restricted{}, []string{bank.Recipient.ID, police.Recipient.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject, Restricted: tc.restricted})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range ans.Recipients {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("recipients %v, want %v", got, tc.want)
			}
			page, err := s.Events(t.Context(), EventsQuery{SubjectID: subject, Restricted: tc.restricted})
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for _, e := range page.Events {
				got = append(got, e.Recipient.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("timeline %v, want %v", got, tc.want)
			}
		})
	}
	all, err := s.AllEvents(t.Context(), EventsQuery{SubjectID: subject, Restricted: Restricted{Now: t0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Events) != 2 || all.Events[1].Restriction == nil || !all.Events[1].Restriction.ReviewAt.Equal(review) {
		t.Fatalf("AllEvents = %+v, want both events, the police one with its restriction", all.Events)
	}
}

func TestInvalidQueries(t *testing.T) {
	s := newMigratedStore(t)
	for _, subject := range []string{"", "C1", "010190-12345", "C00000001' OR 1=1 --"} {
		if _, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject}); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("Recipients(%q) = %v, want ErrInvalidQuery", subject, err)
		}
		if _, err := s.Events(t.Context(), EventsQuery{SubjectID: subject}); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("Events(%q) = %v, want ErrInvalidQuery", subject, err)
		}
	}
	// A cursor id is passed as a bound parameter, however odd.
	page, err := s.Events(t.Context(), EventsQuery{
		SubjectID: lineagetest.Subject(1),
		After:     &Cursor{OccurredAt: t0, EventID: `x' OR '1'='1\`},
	})
	if err != nil || len(page.Events) != 0 {
		t.Errorf("Events with a quoting cursor = %+v, %v", page, err)
	}
}

func TestInsertEmptyBatch(t *testing.T) {
	s := newMigratedStore(t)
	if err := s.Insert(t.Context(), NewBatch(0)); err != nil {
		t.Fatalf("Insert of an empty batch: %v", err)
	}
}

func TestBounds(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name             string
		from, to         time.Time
		wantFrom, wantTo int64
	}{
		{"open", time.Time{}, time.Time{}, 0, 1<<63 - 1},
		{"whole microseconds", at, at.Add(time.Microsecond), at.UnixMicro(), at.UnixMicro() + 1},
		{"finer rounds up", at.Add(time.Nanosecond), at.Add(999 * time.Nanosecond), at.UnixMicro() + 1, at.UnixMicro() + 1},
		{"before 1970", time.Unix(-1, 500), time.Unix(-1, 0), -999_999, -1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f, to := bounds(tt.from, tt.to); f != tt.wantFrom || to != tt.wantTo {
				t.Errorf("bounds = %d, %d; want %d, %d", f, to, tt.wantFrom, tt.wantTo)
			}
		})
	}
}
