package chstore

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

func insertLinks(t *testing.T, s *Store, offset int64, links ...lineage.IdentityLink) {
	t.Helper()
	insertLinksInto(t, s, LinksTable, offset, links...)
}

// insertLinksInto stores links into table at consecutive Kafka offsets.
func insertLinksInto(t *testing.T, s *Store, table string, offset int64, links ...lineage.IdentityLink) {
	t.Helper()
	stored := make([]StoredLink, len(links))
	for i, l := range links {
		stored[i] = StoredLink{IdentityLink: l, Offset: offset + int64(i)}
	}
	if err := s.insertLinks(t.Context(), table, stored); err != nil {
		t.Fatalf("insert links into %s: %v", table, err)
	}
}

// answer is what a lookup of subject says: the ids of its timeline, oldest
// first, each with the identifier it was resolved through, and the event
// counts of its recipients.
func answer(t *testing.T, s *Store, subject string) (timeline []string, recipients uint64) {
	t.Helper()
	for _, e := range readTimeline(t, s, EventsQuery{SubjectID: subject, Limit: 3}) {
		if e.SubjectID != subject {
			t.Fatalf("event %s answered for %s carries subject %q", e.ID, subject, e.SubjectID)
		}
		via := "direct"
		if e.SubjectIdentifier != nil {
			via = string(e.SubjectIdentifier.Kind)
		}
		timeline = append(timeline, e.ID+"/"+via)
	}
	slices.Reverse(timeline)
	rs, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Recipients {
		recipients += r.Events
	}
	return timeline, recipients
}

// contestedOf returns the contested windows both lookups of subject give.
func contestedOf(t *testing.T, s *Store, subject string) map[string][]ContestedWindow {
	t.Helper()
	rs, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject})
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Events(t.Context(), EventsQuery{SubjectID: subject})
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]ContestedWindow{"recipients": rs.Contested, "events": page.Contested}
}

func unresolvedCounts(t *testing.T, s *Store) string {
	t.Helper()
	counts, err := s.Unresolved(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range counts {
		parts = append(parts, fmt.Sprintf("%s=%d/%d@%s", c.Kind, c.Events, c.Contested, c.Oldest.Format("2006")))
	}
	return strings.Join(parts, " ")
}

// TestIdentityResolution: a phone number held by one customer from 2022 to
// 2024 and by another from 2024-03: each customer's answer holds the CDRs
// of its own time and nothing of the other's, whatever order events and
// links arrive in; events no link covers are kept, counted as unresolved,
// and join the right answer when their link arrives.
func TestIdentityResolution(t *testing.T) {
	s := newMigratedStore(t)
	stopMerges(t, s) // retried copies stay in their own parts
	var (
		old, current = lineagetest.Subject(1), lineagetest.Subject(2)
		number       = lineagetest.Identifier(lineage.MSISDN, 29123456)
		ip           = lineagetest.Identifier(lineage.IPAddress, 1)
		day          = func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
		cdr          = func(n uint64, id lineage.Identifier, at time.Time) lineage.Event {
			return lineagetest.CDR(lineagetest.UUID(n), id, at)
		}
		id = func(n uint64, via string) string { return lineagetest.UUID(n) + "/" + via }
	)
	// Events first: nobody's yet.
	insert(t, s, 0,
		cdr(1, number, day(2023, 5, 1)),  // the old holder's
		cdr(2, number, day(2024, 2, 10)), // between holders: nobody's
		cdr(3, number, day(2026, 1, 15)), // the current holder's
		cdr(4, ip, day(2025, 6, 1)),      // an IP address never linked
		lineagetest.Transfer(lineagetest.UUID(5), current, day(2025, 1, 1)),
	)
	insert(t, s, 10, cdr(3, number, day(2026, 1, 15))) // a retried copy
	if got, want := unresolvedCounts(t, s), "ip_address=1/0@2025 msisdn=3/0@2023"; got != want {
		t.Errorf("unresolved before the links: %s, want %s", got, want)
	}
	if tl, _ := answer(t, s, old); len(tl) != 0 {
		t.Errorf("old holder before any link: %v", tl)
	}

	// The links arrive late: the old holder's closed, the new one's open.
	insertLinks(t, s, 0,
		lineagetest.Link(old, number, day(2022, 1, 1), day(2024, 1, 31)),
		lineagetest.Link(current, number, day(2024, 3, 1), time.Time{}),
	)
	for _, tc := range []struct {
		subject    string
		timeline   []string
		recipients uint64
	}{
		{old, []string{id(1, "msisdn")}, 1},
		{current, []string{id(5, "direct"), id(3, "msisdn")}, 2},
	} {
		tl, n := answer(t, s, tc.subject)
		if !slices.Equal(tl, tc.timeline) || n != tc.recipients {
			t.Errorf("%s: timeline %v with %d recipient events, want %v with %d", tc.subject, tl, n, tc.timeline, tc.recipients)
		}
	}
	if got, want := unresolvedCounts(t, s), "ip_address=1/0@2025 msisdn=1/0@2024"; got != want {
		t.Errorf("unresolved after the links: %s, want %s", got, want)
	}

	// CRM corrects the old holder's link: the number was held until
	// 2024-02-29. The event of 2024-02-10 becomes the old holder's.
	closed := lineagetest.Link(old, number, day(2022, 1, 1), day(2024, 2, 29))
	closed.RecordedAt = day(2024, 3, 1)
	insertLinks(t, s, 2, closed)
	if tl, _ := answer(t, s, old); !slices.Equal(tl, []string{id(1, "msisdn"), id(2, "msisdn")}) {
		t.Errorf("old holder after the correction: %v", tl)
	}
	// A link recorded in error and then retracted attributes nothing.
	wrong := lineagetest.Link(current, ip, day(2025, 1, 1), time.Time{})
	insertLinks(t, s, 3, wrong)
	if tl, _ := answer(t, s, current); !slices.Contains(tl, id(4, "ip_address")) {
		t.Errorf("the IP link did not resolve: %v", tl)
	}
	wrong.Retracted, wrong.RecordedAt = true, day(2025, 7, 1)
	insertLinks(t, s, 4, wrong)
	if tl, _ := answer(t, s, current); slices.Contains(tl, id(4, "ip_address")) {
		t.Errorf("a retracted link still resolves: %v", tl)
	}
	if got, want := unresolvedCounts(t, s), "ip_address=1/0@2025"; got != want {
		t.Errorf("unresolved after the retraction: %s, want %s", got, want)
	}

	// CRM links the number to a third customer from 2025-12 by mistake,
	// while the current holder's link stands: the CDR of 2026-01-15 could
	// be either's, so it is in neither answer, both answers say which
	// window was left out, and it is counted as contested.
	third := lineagetest.Subject(3)
	mistake := lineagetest.Link(third, number, day(2025, 12, 1), time.Time{})
	insertLinks(t, s, 5, mistake)
	wantContested := []ContestedWindow{{Identifier: number, From: day(2025, 12, 1)}}
	for _, tc := range []struct {
		subject  string
		timeline []string
	}{
		{current, []string{id(5, "direct")}},
		{third, nil},
	} {
		if tl, _ := answer(t, s, tc.subject); !slices.Equal(tl, tc.timeline) {
			t.Errorf("%s with a contested number: timeline %v, want %v", tc.subject, tl, tc.timeline)
		}
		for name, got := range contestedOf(t, s, tc.subject) {
			if !reflect.DeepEqual(got, wantContested) {
				t.Errorf("%s: %s contested %+v, want %+v", tc.subject, name, got, wantContested)
			}
		}
	}
	if tl, _ := answer(t, s, old); !slices.Equal(tl, []string{id(1, "msisdn"), id(2, "msisdn")}) {
		t.Errorf("old holder, whose link does not overlap: %v", tl)
	}
	if got, want := unresolvedCounts(t, s), "ip_address=1/0@2025 msisdn=0/1@2026"; got != want {
		t.Errorf("unresolved with a contested number: %s, want %s", got, want)
	}
	// The mistake retracted, the CDR is the current holder's again.
	mistake.Retracted, mistake.RecordedAt = true, day(2026, 2, 1)
	insertLinks(t, s, 6, mistake)
	if tl, _ := answer(t, s, current); !slices.Equal(tl, []string{id(5, "direct"), id(3, "msisdn")}) {
		t.Errorf("current holder after the mistake was retracted: %v", tl)
	}
	if got, want := unresolvedCounts(t, s), "ip_address=1/0@2025"; got != want {
		t.Errorf("unresolved at the end: %s, want %s", got, want)
	}
	// A bounded lookup clips the link windows to its range.
	rs, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: old, From: day(2024, 1, 1), To: day(2025, 1, 1)})
	if err != nil || len(rs.Recipients) != 1 || rs.Recipients[0].Events != 1 {
		t.Errorf("bounded recipients of the old holder: %+v, %v", rs, err)
	}
}

// TestLinksPerSource: each allowed source's statements about a link stand
// on their own. Two sources state that a customer holds a phone number
// from the same day; a retraction by one applies only to its own
// statement, so the number's events stay the customer's while the other's
// stands, and the customer is one holder however many sources say so. A
// source that links the number to another customer from that day makes
// the window contested, withheld from both answers, never moved.
func TestLinksPerSource(t *testing.T) {
	s := newMigratedStore(t)
	var (
		holder, other = lineagetest.Subject(21), lineagetest.Subject(22)
		number        = lineagetest.Identifier(lineage.MSISDN, 29100021)
		day           = func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
		since         = day(1, 1)
		id            = func(n uint64) string { return lineagetest.UUID(n) + "/msisdn" }
	)
	insert(t, s, 0,
		lineagetest.CDR(lineagetest.UUID(1), number, day(3, 1)),
		lineagetest.CDR(lineagetest.UUID(2), number, day(6, 1)),
	)
	// statement is source's link of subject to the number since the start,
	// recorded at recorded, retracted or not.
	statement := func(subject, source string, recorded time.Time, retracted bool) lineage.IdentityLink {
		l := lineagetest.Link(subject, number, since, time.Time{})
		l.SourceSystem, l.RecordedAt, l.Retracted = source, recorded, retracted
		return l
	}
	// The police received both CDRs: a breach there reaches the holder,
	// or nobody while the number is contested.
	police := ExposureQuery{Kind: Recipient, Party: "rcp-state-police", Now: day(12, 1)}
	check := func(step string, answers map[string][]string, holders []Holding, contested []ContestedWindow, unresolved string) {
		t.Helper()
		for subject, want := range answers {
			if tl, _ := answer(t, s, subject); !slices.Equal(tl, want) {
				t.Errorf("%s: %s's timeline %v, want %v", step, subject, tl, want)
			}
			for name, got := range contestedOf(t, s, subject) {
				if !reflect.DeepEqual(got, contested) {
					t.Errorf("%s: %s's %s withheld %+v, want %+v", step, subject, name, got, contested)
				}
			}
		}
		if got, err := s.Holders(t.Context(), number); err != nil || !reflect.DeepEqual(got, holders) {
			t.Errorf("%s: holders %+v (%v), want %+v", step, got, err, holders)
		}
		if got := unresolvedCounts(t, s); got != unresolved {
			t.Errorf("%s: unresolved %q, want %q", step, got, unresolved)
		}
		wantSubjects, wantContested := uint64(1), uint64(0)
		if contested != nil {
			wantSubjects, wantContested = 0, 2
		}
		if x, err := s.Exposure(t.Context(), police); err != nil || x.Subjects != wantSubjects || x.ContestedEvents != wantContested {
			t.Errorf("%s: exposure at the police %d subjects, %d contested events (%v); want %d, %d",
				step, x.Subjects, x.ContestedEvents, err, wantSubjects, wantContested)
		}
	}
	held := []string{id(1), id(2)}
	one := []Holding{{SubjectID: holder, From: since}}

	insertLinks(t, s, 0, statement(holder, "crm", since, false))
	check("crm states", map[string][]string{holder: held}, one, nil, "")

	// A retraction of a link the contact centre never stated changes
	// nothing: it is not the contact centre's to retract.
	insertLinks(t, s, 1, statement(holder, "contact_centre", day(2, 1), true))
	check("the contact centre retracts what it never stated", map[string][]string{holder: held}, one, nil, "")

	// Both state it: still one holder.
	insertLinks(t, s, 2, statement(holder, "contact_centre", day(2, 2), false))
	check("both state", map[string][]string{holder: held}, one, nil, "")

	// The contact centre retracts its own statement; CRM's stands.
	insertLinks(t, s, 3, statement(holder, "contact_centre", day(7, 1), true))
	check("the contact centre retracts its own", map[string][]string{holder: held}, one, nil, "")

	// The contact centre links the number to another customer from the
	// same day: CRM still says the first, so the window is contested.
	insertLinks(t, s, 4, statement(other, "contact_centre", day(7, 2), false))
	check("the contact centre re-links",
		map[string][]string{holder: nil, other: nil},
		[]Holding{{SubjectID: holder, From: since}, {SubjectID: other, From: since}},
		[]ContestedWindow{{Identifier: number, From: since}}, "msisdn=0/2@2025")

	// CRM retracts its own statement: the number is the other customer's.
	insertLinks(t, s, 5, statement(holder, "crm", day(7, 3), true))
	check("crm retracts its own",
		map[string][]string{holder: nil, other: held},
		[]Holding{{SubjectID: other, From: since}}, nil, "")
}

func TestIdentifierWindowsJoinLeases(t *testing.T) {
	s := newMigratedStore(t)
	ip := lineagetest.Identifier(lineage.IPAddress, 7)
	subject := lineagetest.Subject(7)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var links []lineage.IdentityLink
	for i := range 3 * MaxIdentityWindows {
		from := start.Add(time.Duration(i) * time.Hour)
		links = append(links, lineagetest.Link(subject, ip, from, from.Add(time.Hour)))
	}
	insertLinks(t, s, 0, links...)
	windows, _, err := s.identifierWindows(t.Context(), subject, 0, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	if len(windows) != 1 || windows[0].from != start.UnixMicro() || windows[0].to != start.Add(3*MaxIdentityWindows*time.Hour).UnixMicro() {
		t.Fatalf("3,000 back-to-back leases: %+v, want one window", windows)
	}
	// Leases with gaps stay apart, and too many of them are refused
	// rather than answered from part of the data.
	other := lineagetest.Identifier(lineage.IPAddress, 8)
	links = links[:0]
	for i := range MaxIdentityWindows + 1 {
		from := start.Add(time.Duration(2*i) * time.Hour)
		links = append(links, lineagetest.Link(lineagetest.Subject(8), other, from, from.Add(time.Hour)))
	}
	insertLinks(t, s, 0, links...)
	if _, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: lineagetest.Subject(8)}); !errors.Is(err, ErrTooManyIdentifierWindows) {
		t.Fatalf("%d windows: %v, want ErrTooManyIdentifierWindows", MaxIdentityWindows+1, err)
	}
}

// TestLookupAtTheWindowLimit: a customer who held MaxIdentityWindows
// identifiers, each a different IP address for an hour (the longest query
// text a lookup sends), is answered in full; one more is refused with
// ErrTooManyIdentifierWindows, and a narrower range answers again.
func TestLookupAtTheWindowLimit(t *testing.T) {
	s := newMigratedStore(t)
	subject := lineagetest.Subject(9)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return start.Add(time.Duration(2*i) * time.Hour) }
	var (
		links  []lineage.IdentityLink
		events []lineage.Event
	)
	for i := range MaxIdentityWindows {
		ip := lineagetest.Identifier(lineage.IPAddress, 100_000+i)
		links = append(links, lineagetest.Link(subject, ip, at(i), at(i).Add(time.Hour)))
		if i%100 == 0 {
			events = append(events,
				lineagetest.CDR(lineagetest.UUID(uint64(i)), ip, at(i).Add(time.Minute)),
				lineagetest.CDR(lineagetest.UUID(uint64(i)+1), ip, at(i).Add(-time.Minute))) // before the lease: not the subject's
		}
	}
	insertLinks(t, s, 0, links...)
	insert(t, s, 0, events...)
	want := uint64(MaxIdentityWindows / 100)
	began := time.Now()
	rs, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject})
	t.Logf("recipients at %d windows took %v", MaxIdentityWindows, time.Since(began))
	if err != nil || len(rs.Recipients) != 1 || rs.Recipients[0].Events != want {
		t.Fatalf("recipients at %d windows: %+v, %v; want one recipient with %d events", MaxIdentityWindows, rs.Recipients, err, want)
	}
	page, err := s.Events(t.Context(), EventsQuery{SubjectID: subject, Limit: MaxLimit})
	if err != nil || uint64(len(page.Events)) != want {
		t.Fatalf("events at %d windows: %d, %v; want %d", MaxIdentityWindows, len(page.Events), err, want)
	}

	extra := lineagetest.Identifier(lineage.IPAddress, 99_999)
	insertLinks(t, s, int64(len(links)), lineagetest.Link(subject, extra, at(-1), at(-1).Add(time.Hour)))
	if _, err := s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject}); !errors.Is(err, ErrTooManyIdentifierWindows) {
		t.Fatalf("recipients at %d windows: %v, want ErrTooManyIdentifierWindows", MaxIdentityWindows+1, err)
	}
	if _, err := s.Events(t.Context(), EventsQuery{SubjectID: subject}); !errors.Is(err, ErrTooManyIdentifierWindows) {
		t.Fatalf("events at %d windows: %v, want ErrTooManyIdentifierWindows", MaxIdentityWindows+1, err)
	}
	rs, err = s.Recipients(t.Context(), RecipientsQuery{SubjectID: subject, From: start})
	if err != nil || len(rs.Recipients) != 1 || rs.Recipients[0].Events != want {
		t.Fatalf("recipients from %v: %+v, %v; want one recipient with %d events", start, rs.Recipients, err, want)
	}
}

func TestQueriesHaveTheScopeMarker(t *testing.T) {
	for name, q := range map[string]string{"recipients": recipientsSQL, "events": eventsSQL} {
		for _, marker := range []string{keysMarker, windowsMarker} {
			if strings.Count(q, marker) != 1 {
				t.Errorf("%s.sql must hold %s once", name, marker)
			}
		}
	}
}

func TestDivide(t *testing.T) {
	tests := []struct {
		name               string
		own, others        []span
		wantKept, wantShar []span
	}{
		{"nobody else", []span{{1, 5}}, nil, []span{{1, 5}}, nil},
		{"other before and after", []span{{3, 5}}, []span{{0, 3}, {5, 9}}, []span{{3, 5}}, nil},
		{"other inside", []span{{0, 10}}, []span{{2, 4}}, []span{{0, 2}, {4, 10}}, []span{{2, 4}}},
		{"other covers all", []span{{2, 4}}, []span{{0, 10}}, nil, []span{{2, 4}}},
		{"other from the middle on", []span{{0, 10}}, []span{{6, 20}}, []span{{0, 6}}, []span{{6, 10}}},
		{"one other over two own", []span{{0, 4}, {6, 10}}, []span{{3, 7}}, []span{{0, 3}, {7, 10}}, []span{{3, 4}, {6, 7}}},
		{"two others in one own", []span{{0, 10}}, []span{{1, 2}, {8, 12}}, []span{{0, 1}, {2, 8}}, []span{{1, 2}, {8, 10}}},
		{"open ends", []span{{5, math.MaxInt64}}, []span{{7, math.MaxInt64}}, []span{{5, 7}}, []span{{7, math.MaxInt64}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, shared := divide(tt.own, tt.others)
			if !slices.Equal(kept, tt.wantKept) || !slices.Equal(shared, tt.wantShar) {
				t.Errorf("divide(%v, %v) = %v, %v; want %v, %v", tt.own, tt.others, kept, shared, tt.wantKept, tt.wantShar)
			}
		})
	}
}

// TestHolders: a phone number finds every customer who held it, each with
// their period, oldest first; a retracted link is no holder, and a
// correction counts as it stands.
func TestHolders(t *testing.T) {
	s := newMigratedStore(t)
	var (
		old, current, wrong = lineagetest.Subject(1), lineagetest.Subject(2), lineagetest.Subject(3)
		number              = lineagetest.Identifier(lineage.MSISDN, 29123456)
		code                = lineagetest.Identifier(lineage.PersonalCode, 1)
		day                 = func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	)
	mistaken := lineagetest.Link(wrong, number, day(2025, 1, 1), time.Time{})
	retracted := mistaken
	retracted.Retracted, retracted.RecordedAt = true, mistaken.RecordedAt.Add(time.Hour)
	corrected := lineagetest.Link(old, number, day(2022, 1, 1), day(2024, 2, 29))
	corrected.RecordedAt = day(2024, 3, 1)
	insertLinks(t, s, 0,
		lineagetest.Link(current, number, day(2024, 3, 1), time.Time{}),
		lineagetest.Link(old, number, day(2022, 1, 1), day(2024, 1, 31)),
		mistaken, retracted, corrected,
		lineagetest.Link(current, code, day(2024, 3, 1), time.Time{}),
	)
	got, err := s.Holders(t.Context(), number)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holding{
		{SubjectID: old, From: day(2022, 1, 1), To: day(2024, 2, 29)},
		{SubjectID: current, From: day(2024, 3, 1)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("holders of the number:\n got %+v\nwant %+v", got, want)
	}
	if got, err := s.Holders(t.Context(), code); err != nil || len(got) != 1 || got[0].SubjectID != current {
		t.Errorf("holders of the personal code = %+v, %v; want %s", got, err, current)
	}
	if _, err := s.Holders(t.Context(), lineage.Identifier{Kind: "imsi", HMAC: number.HMAC}); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("holders of an unknown kind: err = %v, want ErrInvalidQuery", err)
	}
}
