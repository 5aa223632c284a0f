package chstore

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/retention"
)

// mustTime parses an RFC 3339 time; mustDay a YYYY-MM-DD day as midnight UTC.
func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustDay(t testing.TB, s string) time.Time { return mustTime(t, s+"T00:00:00Z") }

// dated returns e with the attributes of the retention contract (empty
// values left out), checked as the SDK and the materializer check them.
func dated(t testing.TB, e lineage.Event, from, rule string) lineage.Event {
	t.Helper()
	attrs := map[string]string{}
	for k, v := range e.Attributes {
		attrs[k] = v
	}
	if from != "" {
		attrs[lineage.AttrRetentionFrom] = from
	}
	if rule != "" {
		attrs[lineage.AttrRetentionRule] = rule
	}
	e.Attributes = attrs
	if err := e.Validate(e.OccurredAt.Add(time.Hour)); err != nil {
		t.Fatalf("fixture event %s: %v", e.ID, err)
	}
	return e
}

// retentionFixture stores, for customer 1: call recordings reviewed
// within §22's six months (r1), after them (r2, stored twice: a retry) and
// undated (r3); an invoice read after its five years (b1); a prepaid
// customer's contact data after two years from a leap day (p1); and, under
// an IP address linked to customer 1, a website log read after its year
// (w1). For customer 2, a recording past six months (r4) and one within
// (r5).
func retentionFixture(t *testing.T) (*Store, lineage.Identifier) {
	t.Helper()
	s := newMigratedStore(t)
	c1, c2 := lineagetest.Subject(1), lineagetest.Subject(2)
	recording := func(n uint64, subject, occurred, from string) lineage.Event {
		e := lineagetest.Access(lineagetest.UUID(n), subject, mustTime(t, occurred))
		e.SourceSystem, e.Actor = "contact_centre", lineage.Actor{Type: lineage.EmployeeRole, ID: "quality_supervisor"}
		e.DataCategories = []string{"call_recordings", "communication"}
		e.LegalBasis, e.LegitimateInterest = "legitimate_interest", lineage.Ptr("7.7")
		return dated(t, e, from, "")
	}
	r1 := recording(1, c1, "2026-03-02T09:30:00Z", "2026-01-31")
	r2 := recording(2, c1, "2026-08-01T00:00:00Z", "2026-01-31")
	r3 := recording(3, c1, "2026-04-01T12:00:00Z", "")
	r3.DataCategories = []string{"call_recordings"}

	b1 := lineagetest.Access(lineagetest.UUID(4), c1, mustTime(t, "2025-03-03T08:00:00Z"))
	b1.SourceSystem, b1.Actor = "billing", lineage.Actor{Type: lineage.System, ID: "billing-archive"}
	b1.DataCategories = []string{"billing", "customer", "service"}
	b1 = dated(t, b1, "2020-03-02", "")

	p1 := lineagetest.Access(lineagetest.UUID(5), c1, mustTime(t, "2026-03-01T00:00:00Z"))
	p1.DataCategories = []string{"contact"}
	p1 = dated(t, p1, "2024-02-29", "prepaid_2y")

	ip := lineagetest.Identifier(lineage.IPAddress, 1)
	w1 := lineagetest.Access(lineagetest.UUID(6), "", mustTime(t, "2026-02-01T00:00:00Z"))
	w1.SourceSystem, w1.Actor = "self_service_portal", lineage.Actor{Type: lineage.System, ID: "web-logs"}
	w1.DataCategories, w1.SubjectIdentifier = []string{"website_activity"}, &ip
	w1 = dated(t, w1, "2025-01-15", "")

	r4 := recording(7, c2, "2026-03-02T09:30:00Z", "2025-01-01")
	r4.DataCategories = []string{"call_recordings"}
	r5 := recording(8, c2, "2026-03-03T09:30:00Z", "2026-03-01")

	insert(t, s, 0, r1, r2, r3, b1, p1, w1, r4, r5)
	insert(t, s, 100, r2) // the retry
	insertLinks(t, s, 0, lineagetest.Link(c1, ip, mustDay(t, "2025-01-01"), time.Time{}))
	return s, ip
}

// TestRetentionSubject: one customer's lines, with known answers: each
// status, the first event past, a retry counted once, an override on a
// line of its own, an event under an identifier resolved through the
// customer's link, and a window.
func TestRetentionSubject(t *testing.T) {
	s, _ := retentionFixture(t)
	ctx := t.Context()
	c1 := lineagetest.Subject(1)
	line := func(category, rule string, status retention.Status, events, past, undated int, first, last string, firstPast *retention.PastEvent) retention.Line {
		return retention.Line{SubjectID: c1, Category: category, Rule: rule, Status: status, Events: events, Past: past, Undated: undated,
			First: mustTime(t, first), Last: mustTime(t, last), FirstPast: firstPast}
	}
	r2 := &retention.PastEvent{EventID: lineagetest.UUID(2), OccurredAt: mustTime(t, "2026-08-01T00:00:00Z"),
		RetentionFrom: mustDay(t, "2026-01-31"), PeriodEnd: mustDay(t, "2026-07-31")}
	p1 := &retention.PastEvent{EventID: lineagetest.UUID(5), OccurredAt: mustTime(t, "2026-03-01T00:00:00Z"),
		RetentionFrom: mustDay(t, "2024-02-29"), PeriodEnd: mustDay(t, "2026-02-28")}
	b1 := &retention.PastEvent{EventID: lineagetest.UUID(4), OccurredAt: mustTime(t, "2025-03-03T08:00:00Z"),
		RetentionFrom: mustDay(t, "2020-03-02"), PeriodEnd: mustDay(t, "2025-03-02")}
	w1 := &retention.PastEvent{EventID: lineagetest.UUID(6), OccurredAt: mustTime(t, "2026-02-01T00:00:00Z"),
		RetentionFrom: mustDay(t, "2025-01-15"), PeriodEnd: mustDay(t, "2026-01-15")}

	got, err := s.Retention(ctx, RetentionQuery{Subject: c1})
	if err != nil {
		t.Fatal(err)
	}
	want := []retention.Line{
		line("call_recordings", "recordings_6m", retention.Exceeded, 3, 1, 1, "2026-03-02T09:30:00Z", "2026-08-01T00:00:00Z", r2),
		line("communication", "recordings_6m", retention.Exceeded, 2, 1, 0, "2026-03-02T09:30:00Z", "2026-08-01T00:00:00Z", r2),
		line("contact", "prepaid_2y", retention.Exceeded, 1, 1, 0, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", p1),
		line("billing", "accounting_5y", retention.MinimumPassed, 1, 1, 0, "2025-03-03T08:00:00Z", "2025-03-03T08:00:00Z", b1),
		line("website_activity", "audit_1y", retention.MinimumPassed, 1, 1, 0, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", w1),
		line("customer", "legitimate_interest_claims", retention.NoPeriod, 1, 0, 0, "2025-03-03T08:00:00Z", "2025-03-03T08:00:00Z", nil),
		line("service", "contract_term", retention.NoPeriod, 1, 0, 0, "2025-03-03T08:00:00Z", "2025-03-03T08:00:00Z", nil),
	}
	if !reflect.DeepEqual(got.Lines, want) || len(got.Contested) != 0 || got.Next != "" {
		t.Errorf("Retention of %s\n got %+v\nwant %+v", c1, got, want)
	}

	// From March to August (exclusive): r2 and b1 fall outside, so the
	// recordings are only within or undated, and undated is the worse.
	got, err = s.Retention(ctx, RetentionQuery{Subject: c1, From: mustTime(t, "2026-03-01T00:00:00Z"), To: mustTime(t, "2026-08-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	want = []retention.Line{
		line("contact", "prepaid_2y", retention.Exceeded, 1, 1, 0, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", p1),
		line("call_recordings", "recordings_6m", retention.Undated, 2, 0, 1, "2026-03-02T09:30:00Z", "2026-04-01T12:00:00Z", nil),
		line("communication", "recordings_6m", retention.Within, 1, 0, 0, "2026-03-02T09:30:00Z", "2026-03-02T09:30:00Z", nil),
	}
	if !reflect.DeepEqual(got.Lines, want) {
		t.Errorf("Retention of %s from March to August\n got %+v\nwant %+v", c1, got.Lines, want)
	}

	got, err = s.Retention(ctx, RetentionQuery{Subject: lineagetest.Subject(3)})
	if err != nil || len(got.Lines) != 0 {
		t.Errorf("a customer without events: %+v, %v", got, err)
	}
	if _, err := s.Retention(ctx, RetentionQuery{Subject: "29123456"}); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("a phone number as subject: %v, want ErrInvalidQuery", err)
	}
}

// TestRetentionPast: the DPO's list across subjects, with known answers:
// only the lines past a period, counting only the events past it, by
// subject id (an identifier's key after the customers), and its pages.
func TestRetentionPast(t *testing.T) {
	s, ip := retentionFixture(t)
	ctx := t.Context()
	c1, c2 := lineagetest.Subject(1), lineagetest.Subject(2)
	past := func(subject, category, rule string, status retention.Status, n uint64, occurred, from, end string) retention.Line {
		when := mustTime(t, occurred)
		return retention.Line{SubjectID: subject, Category: category, Rule: rule, Status: status, Events: 1, Past: 1, First: when, Last: when,
			FirstPast: &retention.PastEvent{EventID: lineagetest.UUID(n), OccurredAt: when, RetentionFrom: mustDay(t, from), PeriodEnd: mustDay(t, end)}}
	}
	c1Lines := []retention.Line{
		past(c1, "call_recordings", "recordings_6m", retention.Exceeded, 2, "2026-08-01T00:00:00Z", "2026-01-31", "2026-07-31"),
		past(c1, "communication", "recordings_6m", retention.Exceeded, 2, "2026-08-01T00:00:00Z", "2026-01-31", "2026-07-31"),
		past(c1, "contact", "prepaid_2y", retention.Exceeded, 5, "2026-03-01T00:00:00Z", "2024-02-29", "2026-02-28"),
		past(c1, "billing", "accounting_5y", retention.MinimumPassed, 4, "2025-03-03T08:00:00Z", "2020-03-02", "2025-03-02"),
	}
	c2Lines := []retention.Line{
		past(c2, "call_recordings", "recordings_6m", retention.Exceeded, 7, "2026-03-02T09:30:00Z", "2025-01-01", "2025-07-01"),
	}
	ipLines := []retention.Line{
		past(ip.Key(), "website_activity", "audit_1y", retention.MinimumPassed, 6, "2026-02-01T00:00:00Z", "2025-01-15", "2026-01-15"),
	}
	join := func(parts ...[]retention.Line) []retention.Line {
		var out []retention.Line
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    RetentionQuery
		want RetentionAnswer
	}{
		{"all of it", RetentionQuery{}, RetentionAnswer{Lines: join(c1Lines, c2Lines, ipLines)}},
		{"first page of one", RetentionQuery{Limit: 1}, RetentionAnswer{Lines: c1Lines, Next: c1}},
		{"second page of one", RetentionQuery{After: c1, Limit: 1}, RetentionAnswer{Lines: c2Lines, Next: c2}},
		{"a full last page", RetentionQuery{After: c2, Limit: 1}, RetentionAnswer{Lines: ipLines, Next: ip.Key()}},
		{"after the last", RetentionQuery{After: ip.Key(), Limit: 1}, RetentionAnswer{}},
		{"a window without the August review and the invoice", RetentionQuery{From: mustTime(t, "2026-01-01T00:00:00Z"), To: mustTime(t, "2026-08-01T00:00:00Z")},
			RetentionAnswer{Lines: join(c1Lines[2:3], c2Lines, ipLines)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Retention(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Retention(%+v)\n got %+v\nwant %+v", tc.q, got, tc.want)
			}
		})
	}
}
