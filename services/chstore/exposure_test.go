package chstore

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

const swedbank = "rcp-bank-swedbank" // lineagetest.Transfer's recipient

// exposureFixture stores, for the bank: customer 1's transfers on day 0
// and day 10, customer 2's on day 1 (twice: a retry), customer 3's on day 2
// under a restriction reviewed on day 400; customer 2's hand-off to another
// recipient; customer 4's two accesses in CRM on days 0 and 10. For the
// police, under phone numbers: one held by customer 5 at the time, one held
// by nobody, one claimed by customers 6 and 7 at once.
func exposureFixture(t *testing.T) *Store {
	t.Helper()
	s := newMigratedStore(t)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	c1a := lineagetest.Transfer(lineagetest.UUID(1), lineagetest.Subject(1), day(0))
	c1b := lineagetest.Transfer(lineagetest.UUID(2), lineagetest.Subject(1), day(10))
	c2 := lineagetest.Transfer(lineagetest.UUID(3), lineagetest.Subject(2), day(1))
	c3 := lineagetest.Transfer(lineagetest.UUID(4), lineagetest.Subject(3), day(2))
	c3.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: day(400)}
	c2h := lineagetest.Handoff(lineagetest.UUID(5), lineagetest.Subject(2), day(1))
	c4a := lineagetest.Access(lineagetest.UUID(6), lineagetest.Subject(4), day(0))
	c4b := lineagetest.Access(lineagetest.UUID(7), lineagetest.Subject(4), day(10))
	held, free, claimed := lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Identifier(lineage.MSISDN, 2), lineagetest.Identifier(lineage.MSISDN, 3)
	insert(t, s, 0, c1a, c1b, c2, c3, c2h, c4a, c4b,
		lineagetest.CDR(lineagetest.UUID(8), held, day(1)),
		lineagetest.CDR(lineagetest.UUID(9), free, day(1)),
		lineagetest.CDR(lineagetest.UUID(10), claimed, day(1)))
	insert(t, s, 100, c2) // the retry
	insertLinks(t, s, 0,
		lineagetest.Link(lineagetest.Subject(5), held, day(-1), day(5)),
		lineagetest.Link(lineagetest.Subject(6), claimed, day(-1), time.Time{}),
		lineagetest.Link(lineagetest.Subject(7), claimed, day(0), time.Time{}))
	return s
}

// TestExposure: counts with known answers for a recipient, a window that
// cuts customer 1's disclosures in half, a source system, and events under
// identifiers resolved, unresolved and contested.
func TestExposure(t *testing.T) {
	s := exposureFixture(t)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	now := day(3)
	tests := []struct {
		name string
		q    ExposureQuery
		want Exposure
	}{
		{"the bank, all time", ExposureQuery{Kind: Recipient, Party: swedbank, Now: now}, Exposure{
			RecipientName: "Swedbank AS", Subjects: 3, Events: 4, First: day(0), Last: day(10), UnresolvedIdentifiers: 0, RestrictedEvents: 1,
			Categories: []CategoryExposure{{"billing", 3}, {"identification", 3}},
		}},
		{"the bank, days 0 to 5: half of customer 1's", ExposureQuery{Kind: Recipient, Party: swedbank, From: day(0), To: day(5), Now: now}, Exposure{
			RecipientName: "Swedbank AS", Subjects: 3, Events: 3, First: day(0), Last: day(2), RestrictedEvents: 1,
			Categories: []CategoryExposure{{"billing", 3}, {"identification", 3}},
		}},
		{"the bank after the review: nothing restricted", ExposureQuery{Kind: Recipient, Party: swedbank, From: day(1), To: day(5), Now: day(401)}, Exposure{
			RecipientName: "Swedbank AS", Subjects: 2, Events: 2, First: day(1), Last: day(2),
			Categories: []CategoryExposure{{"billing", 2}, {"identification", 2}},
		}},
		{"the police, under phone numbers", ExposureQuery{Kind: Recipient, Party: "rcp-state-police", Now: now}, Exposure{
			RecipientName: "Valsts policija", Subjects: 1, Events: 3, First: day(1), Last: day(1), UnresolvedEvents: 1, ContestedEvents: 1, UnresolvedIdentifiers: 2,
			Categories: []CategoryExposure{{"location", 1}, {"traffic_data", 1}},
		}},
		{"CRM, from day 5", ExposureQuery{Kind: SourceSystem, Party: "crm", From: day(5), Now: now}, Exposure{
			Subjects: 1, Events: 1, First: day(10), Last: day(10),
			Categories: []CategoryExposure{{"contact", 1}, {"identification", 1}, {"service_contract", 1}},
		}},
		{"a recipient with nothing", ExposureQuery{Kind: Recipient, Party: "rcp-nobody", Now: now}, Exposure{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Exposure(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Events == 0 {
				// No rows: the aggregate's row is absent, and so are its times.
				tt.want.First, tt.want.Last = got.First, got.Last
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := s.Exposure(t.Context(), ExposureQuery{Party: swedbank}); !errors.Is(err, ErrUnknownPartyKind) {
		t.Errorf("no party kind: %v, want ErrUnknownPartyKind", err)
	}
}

// TestExposedSubjects: pages by customer id, what a letter may name, and the
// customer an identifier resolves to.
func TestExposedSubjects(t *testing.T) {
	s := exposureFixture(t)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	q := ExposureQuery{Kind: Recipient, Party: swedbank, To: day(5), Now: day(3)}
	cats := []string{"billing", "identification"}
	first, err := s.ExposedSubjects(t.Context(), q, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ExposedSubject{
		{SubjectID: lineagetest.Subject(1), First: day(0), Last: day(0), Categories: cats, Events: 1, Notifiable: cats, RecipientName: "Swedbank AS"},
		{SubjectID: lineagetest.Subject(2), First: day(1), Last: day(1), Categories: cats, Events: 1, Notifiable: cats, RecipientName: "Swedbank AS"},
	}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first page:\n got %+v\nwant %+v", first, want)
	}
	next, err := s.ExposedSubjects(t.Context(), q, first[1].SubjectID, 2)
	if err != nil {
		t.Fatal(err)
	}
	want = []ExposedSubject{{SubjectID: lineagetest.Subject(3), First: day(2), Last: day(2), Categories: cats, Events: 1,
		Notifiable: []string{}, ReviewAt: day(400), RecipientName: "Swedbank AS"}}
	if !reflect.DeepEqual(next, want) {
		t.Fatalf("second page:\n got %+v\nwant %+v", next, want)
	}
	police, err := s.ExposedSubjects(t.Context(), ExposureQuery{Kind: Recipient, Party: "rcp-state-police"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(police) != 1 || police[0].SubjectID != lineagetest.Subject(5) || police[0].Events != 1 {
		t.Fatalf("police: %+v, want customer 5 alone, through the number held", police)
	}
	one, ok, err := s.ExposedSubject(t.Context(), ExposureQuery{Kind: Recipient, Party: "rcp-state-police"}, lineagetest.Subject(5))
	if err != nil || !ok || !reflect.DeepEqual(one, police[0]) {
		t.Fatalf("customer 5's line: %+v, %v, %v; want %+v", one, ok, err, police[0])
	}
	if _, ok, err := s.ExposedSubject(t.Context(), q, lineagetest.Subject(4)); ok || err != nil {
		t.Fatalf("customer 4, whose data the bank never received: ok %v, %v", ok, err)
	}
	if _, err := s.ExposedSubjects(t.Context(), q, "", MaxExposedPage+1); err == nil {
		t.Error("a page above the maximum must be refused")
	}
}

// TestExposedSubjectsLargestPage: a page of MaxExposedPage customers with
// the longest ids is answered whole, and the next page holds the rest.
func TestExposedSubjectsLargestPage(t *testing.T) {
	s := newMigratedStore(t)
	id := func(n int) string { return fmt.Sprintf("C%010d", n) }
	events := make([]lineage.Event, MaxExposedPage+1)
	for i := range events {
		events[i] = lineagetest.Transfer(lineagetest.UUID(uint64(i+1)), id(i+1), t0)
	}
	insert(t, s, 0, events...)
	q := ExposureQuery{Kind: Recipient, Party: swedbank}
	page, err := s.ExposedSubjects(t.Context(), q, "", MaxExposedPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != MaxExposedPage || page[0].SubjectID != id(1) || page[len(page)-1].SubjectID != id(MaxExposedPage) {
		t.Fatalf("a page of %d, from %s to %s", len(page), page[0].SubjectID, page[len(page)-1].SubjectID)
	}
	rest, err := s.ExposedSubjects(t.Context(), q, page[len(page)-1].SubjectID, MaxExposedPage)
	if err != nil || len(rest) != 1 || rest[0].SubjectID != id(MaxExposedPage+1) {
		t.Fatalf("the next page: %+v, %v", rest, err)
	}
}

// TestEstimateExposure: the first count counts subject keys and stored
// rows, without the links: an identifier is a subject of its own, and a
// stored retry may count twice until ClickHouse merges it away.
func TestEstimateExposure(t *testing.T) {
	s := exposureFixture(t)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	for _, tc := range []struct {
		name                 string
		q                    ExposureQuery
		subjects             uint64
		eventsMin, eventsMax uint64
	}{
		{"the bank, all time", ExposureQuery{Kind: Recipient, Party: swedbank}, 3, 4, 5},
		{"the bank, a window that cuts customer 1 in half", ExposureQuery{Kind: Recipient, Party: swedbank, From: day(0), To: day(5)}, 3, 3, 4},
		{"the police: three phone numbers, one of them resolved", ExposureQuery{Kind: Recipient, Party: "rcp-state-police"}, 3, 3, 3},
		{"CRM", ExposureQuery{Kind: SourceSystem, Party: "crm", From: day(0), To: day(1)}, 1, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subjects, events, err := s.EstimateExposure(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if subjects != tc.subjects || events < tc.eventsMin || events > tc.eventsMax {
				t.Errorf("estimate %d subjects, %d events; want %d, %d-%d", subjects, events, tc.subjects, tc.eventsMin, tc.eventsMax)
			}
		})
	}
	if _, _, err := s.EstimateExposure(t.Context(), ExposureQuery{Party: "x"}); !errors.Is(err, ErrUnknownPartyKind) {
		t.Errorf("no kind: %v", err)
	}
}
