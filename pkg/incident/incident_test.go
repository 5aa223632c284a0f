package incident_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/pkg/lineage"
)

// detected is when test incidents were detected: a Saturday night in
// Riga, so that nothing here depends on office hours.
var detected = time.Date(2026, 3, 7, 21, 40, 0, 0, time.UTC)

func TestValidEvents(t *testing.T) {
	id := incidenttest.IncidentID(1)
	now := detected.Add(10 * 24 * time.Hour)
	source := incidenttest.Opened(id, 1, detected)
	source.PartyKind, source.Party = incident.SourceSystem, "billing"
	noReference := incidenttest.Notified(id, 4, detected.Add(20*time.Hour))
	noReference.Reference = ""
	for _, e := range []incident.Event{
		incidenttest.Opened(id, 1, detected),
		source,
		incidenttest.Counted(id, 2, detected.Add(time.Hour), 1200, 1500, true),
		incidenttest.Counted(id, 3, detected.Add(5*time.Hour), 0, 0, false),
		incidenttest.Notified(id, 4, detected.Add(20*time.Hour)),
		noReference,
		incidenttest.Closed(id, 5, detected.Add(9*24*time.Hour)),
	} {
		if err := e.Validate(now); err != nil {
			t.Errorf("fixture %s must be valid: %v", e.Type, err)
		}
	}
}

func TestValidateNamesFieldAndRule(t *testing.T) {
	id := incidenttest.IncidentID(1)
	now := detected.Add(10 * 24 * time.Hour)
	edit := func(e incident.Event, change func(*incident.Event)) func() incident.Event {
		return func() incident.Event {
			change(&e)
			return e
		}
	}
	opened := func(change func(*incident.Event)) func() incident.Event {
		return edit(incidenttest.Opened(id, 1, detected), change)
	}
	counted := func(change func(*incident.Event)) func() incident.Event {
		return edit(incidenttest.Counted(id, 2, detected, 10, 12, false), change)
	}
	notified := func(change func(*incident.Event)) func() incident.Event {
		return edit(incidenttest.Notified(id, 3, detected), change)
	}
	closed := func(change func(*incident.Event)) func() incident.Event {
		return edit(incidenttest.Closed(id, 4, detected), change)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name  string
		event func() incident.Event
		field string
		rule  string
	}{
		{"event id", opened(func(e *incident.Event) { e.EventID = "1" }), "event_id", "UUID"},
		{"incident id of a request", opened(func(e *incident.Event) { e.IncidentID = "AR-2026-000001" }), "incident_id", "IN-"},
		{"incident id too short", opened(func(e *incident.Event) { e.IncidentID = "IN-1234567" }), "incident_id", "8 to 32"},
		{"incident id too long", opened(func(e *incident.Event) { e.IncidentID = "IN-" + strings.Repeat("1", 33) }), "incident_id", "8 to 32"},
		{"incident id is an e-mail", opened(func(e *incident.Event) { e.IncidentID = "IN-anna@example.lv" }), "incident_id", "letters, digits and hyphens"},
		{"unknown type", opened(func(e *incident.Event) { e.Type = "unknown" }), "type", "must be opened"},
		{"no type", counted(func(e *incident.Event) { e.Type = "" }), "type", "must be opened"},
		{"before the GDPR", opened(func(e *incident.Event) { e.At = time.Date(2018, 5, 24, 20, 59, 0, 0, time.UTC) }), "at", "2018-05-25"},
		{"seconds as microseconds", counted(func(e *incident.Event) {
			e.At = time.UnixMicro(1_770_000_000)
			e.RecordedAt = e.At
		}), "at", "2018-05-25"},
		{"future", counted(func(e *incident.Event) { e.At, e.RecordedAt = now.Add(time.Hour), now.Add(time.Hour) }), "at", "future"},
		{"recorded in the future", counted(func(e *incident.Event) { e.RecordedAt = now.Add(lineage.MaxFutureSkew + time.Second) }), "recorded_at", "future"},
		{"recorded before it happened", counted(func(e *incident.Event) { e.RecordedAt = e.At.Add(-time.Microsecond) }), "recorded_at", "earlier than at"},
		{"no actor", counted(func(e *incident.Event) { e.Actor = "" }), "actor", "caller name"},
		{"actor with spaces", counted(func(e *incident.Event) { e.Actor = "Anna Bērziņa" }), "actor", "caller name"},

		{"opened: no party kind", opened(func(e *incident.Event) { e.PartyKind = "" }), "party_kind", "recipient or source_system"},
		{"opened: a processor is a recipient", opened(func(e *incident.Event) { e.PartyKind = "processor" }), "party_kind", "recipient or source_system"},
		{"opened: no party", opened(func(e *incident.Event) { e.Party = "" }), "party", "1-64"},
		{"opened: party in capitals", opened(func(e *incident.Event) { e.Party = "RCP-BANK" }), "party", "a-z"},
		{"opened: party too long", opened(func(e *incident.Event) { e.Party = "rcp-" + strings.Repeat("a", 61) }), "party", "1-64"},
		{"opened: party with a colon", opened(func(e *incident.Event) { e.Party = "rcp:bank" }), "party", "a-z, 0-9 and _ . -"},
		{"opened: unknown source system", opened(func(e *incident.Event) {
			e.PartyKind, e.Party = incident.SourceSystem, "payroll"
		}), "party", "source-system code"},
		{"opened: a recipient is no source system", opened(func(e *incident.Event) { e.PartyKind = incident.SourceSystem }), "party", "source-system code"},
		{"opened: no window start", opened(func(e *incident.Event) { e.WindowFrom = time.Time{} }), "window_from", "required"},
		{"opened: no window end", opened(func(e *incident.Event) { e.WindowTo = time.Time{} }), "window_to", "required"},
		{"opened: window before the lineage log", opened(func(e *incident.Event) {
			e.WindowFrom = time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)
		}), "window_from", "2000-01-01"},
		{"opened: window ends in the future", opened(func(e *incident.Event) { e.WindowTo = now.Add(time.Hour) }), "window_to", "future"},
		{"opened: empty window", opened(func(e *incident.Event) { e.WindowTo = e.WindowFrom }), "window_to", "later than window_from"},
		{"opened: window backwards", opened(func(e *incident.Event) {
			e.WindowFrom, e.WindowTo = e.WindowTo, e.WindowFrom
		}), "window_to", "later than window_from"},
		{"opened: no nature", opened(func(e *incident.Event) { e.Nature = "" }), "nature", "required"},
		{"opened: blank nature", opened(func(e *incident.Event) { e.Nature = " \n" }), "nature", "not blank"},
		{"opened: nature too long", opened(func(e *incident.Event) { e.Nature = long(2049) }), "nature", "1 to 2048 bytes"},
		{"opened: with a count", opened(func(e *incident.Event) { e.Subjects = 3 }), "subjects", "only for an event of type counted"},
		{"opened: approximate", opened(func(e *incident.Event) { e.Approximate = true }), "approximate", "only for an event of type counted"},
		{"opened: with a reference", opened(func(e *incident.Event) { e.Reference = "DVI-1" }), "reference", "only for an event of type authority_notified"},

		{"counted: negative subjects", counted(func(e *incident.Event) { e.Subjects = -1 }), "subjects", "0 or more"},
		{"counted: negative events", counted(func(e *incident.Event) { e.Events = -1 }), "events", "0 or more"},
		{"counted: with a party", counted(func(e *incident.Event) { e.Party = incidenttest.Party }), "party", "only for an event of type opened"},
		{"counted: with a party kind", counted(func(e *incident.Event) { e.PartyKind = incident.Recipient }), "party_kind", "only for an event of type opened"},
		{"counted: with a window", counted(func(e *incident.Event) { e.WindowFrom, e.WindowTo = detected.Add(-time.Hour), detected }), "window_to", "only for an event of type opened"},
		{"counted: with a nature", counted(func(e *incident.Event) { e.Nature = "more letters found" }), "nature", "only for an event of type opened"},

		{"notified: no authority", notified(func(e *incident.Event) { e.Authority = "" }), "authority", "required"},
		{"notified: authority too long", notified(func(e *incident.Event) { e.Authority = long(129) }), "authority", "1 to 128 bytes"},
		{"notified: blank reference", notified(func(e *incident.Event) { e.Reference = " " }), "reference", "not blank"},
		{"notified: reference too long", notified(func(e *incident.Event) { e.Reference = long(129) }), "reference", "1 to 128 bytes"},
		{"notified: with a reason", notified(func(e *incident.Event) { e.Reason = "done" }), "reason", "only for an event of type closed"},
		{"notified: with events", notified(func(e *incident.Event) { e.Events = 7 }), "events", "only for an event of type counted"},

		{"closed: no reason", closed(func(e *incident.Event) { e.Reason = "" }), "reason", "required"},
		{"closed: reason too long", closed(func(e *incident.Event) { e.Reason = long(1025) }), "reason", "1 to 1024 bytes"},
		{"closed: with an authority", closed(func(e *incident.Event) { e.Authority = incidenttest.Authority }), "authority", "only for an event of type authority_notified"},
		{"closed: with a window start", closed(func(e *incident.Event) { e.WindowFrom = detected }), "window_from", "only for an event of type opened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.event()
			err := e.Validate(now)
			var ve *incident.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, incident.ErrInvalid) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, f := range ve.Fields {
				if f.Field == tc.field && strings.Contains(f.Rule, tc.rule) {
					return
				}
			}
			t.Fatalf("Validate = %v, want field %s with rule containing %q", err, tc.field, tc.rule)
		})
	}
}

// TestValidateNamesEveryRule: one event with several mistakes gets them all
// named, not the first only.
func TestValidateNamesEveryRule(t *testing.T) {
	e := incidenttest.Opened(incidenttest.IncidentID(1), 1, detected)
	e.EventID, e.Actor, e.PartyKind, e.Nature, e.Reason = "", "", "", "", "closed already"
	err := e.Validate(detected)
	var ve *incident.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v, want a *ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	if want := []string{"event_id", "actor", "party_kind", "nature", "reason"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

// TestValidateNeverEchoesFreeText: the nature and the reason may name
// people; an error names codes only.
func TestValidateNeverEchoesFreeText(t *testing.T) {
	e := incidenttest.Counted(incidenttest.IncidentID(1), 1, detected, 1, 1, false)
	e.Nature = "Anna Bērziņa's invoice went to 010190-12345"
	e.Reason = "Anna asked"
	err := e.Validate(detected)
	if err == nil {
		t.Fatal("Validate accepted a count with a nature and a reason")
	}
	for _, secret := range []string{"Anna", "010190"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q echoes %q", err, secret)
		}
	}
}

func TestValidIncidentID(t *testing.T) {
	for s, want := range map[string]bool{
		"IN-12345678":                   true,
		"IN-2026-03-07-print":           true,
		"IN-" + strings.Repeat("a", 32): true,
		"IN-" + strings.Repeat("a", 33): false,
		"IN-1234567":                    false,
		"in-12345678":                   false,
		"IN-1234_5678":                  false,
		"AR-12345678":                   false,
		"":                              false,
		"IN-12345678 ":                  false,
		"IN-ČČČČČČČČ":                   false,
		"IN-" + strings.Repeat("-", 8):  true,
		"IN-00000000-0000-4000-8000-000000000001": false, // a UUID is 36
	} {
		if got := incident.ValidIncidentID(s); got != want {
			t.Errorf("ValidIncidentID(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestFold: events out of order and with copies give the known state.
func TestFold(t *testing.T) {
	id := incidenttest.IncidentID(1)
	now := detected.Add(10 * 24 * time.Hour)
	open := incidenttest.Opened(id, 1, detected)
	estimate := incidenttest.Counted(id, 2, detected.Add(2*time.Hour), 1200, 1500, true)
	exact := incidenttest.Counted(id, 3, detected.Add(30*time.Hour), 1187, 1532, false)
	recount := incidenttest.Counted(id, 4, detected.Add(40*time.Hour), 1190, 1540, false)
	notified := incidenttest.Notified(id, 5, detected.Add(20*time.Hour))
	supplement := incidenttest.Notified(id, 6, detected.Add(50*time.Hour))
	supplement.Reference = "DVI-2026-0042/2"
	closed := incidenttest.Closed(id, 7, detected.Add(9*24*time.Hour))
	// The copy of the estimate was re-sent with another recorded_at: the
	// id counts once.
	estimateCopy := estimate
	estimateCopy.RecordedAt = estimate.RecordedAt.Add(time.Hour)

	got, err := incident.Fold([]incident.Event{closed, recount, estimateCopy, supplement, exact, notified, open, estimate, exact}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := incident.State{
		ID: id, DetectedAt: detected,
		PartyKind: incident.Recipient, Party: incidenttest.Party,
		WindowFrom: open.WindowFrom, WindowTo: open.WindowTo, Nature: open.Nature,
		Approximate: &incident.Count{Subjects: 1200, Events: 1500, At: estimate.At},
		Exact:       &incident.Count{Subjects: 1190, Events: 1540, At: recount.At},
		Notified:    &incident.Notification{At: notified.At, Authority: incidenttest.Authority, Reference: "DVI-2026-0042"},
		Closed:      &incident.Closure{At: closed.At, Reason: closed.Reason},
		Clocks: []incident.Clock{
			{Name: "eprivacy_24h", Law: "Regulation (EU) No 611/2013 Art. 2(2)", Hours: 24, Due: detected.Add(24 * time.Hour), Status: incident.ClockMet},
			{Name: "gdpr_72h", Law: "GDPR Art. 33(1)", Hours: 72, Due: detected.Add(72 * time.Hour), Status: incident.ClockMet},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestFoldCounts: an estimate, then the exact count, then a later
// estimate: each kind keeps its latest, whatever order the events come in.
func TestFoldCounts(t *testing.T) {
	id := incidenttest.IncidentID(1)
	open := incidenttest.Opened(id, 1, detected)
	first := incidenttest.Counted(id, 2, detected.Add(time.Hour), 500, 600, true)
	exact := incidenttest.Counted(id, 3, detected.Add(10*time.Hour), 0, 0, false)
	second := incidenttest.Counted(id, 4, detected.Add(3*time.Hour), 800, 900, true)
	for name, tc := range map[string]struct {
		events      []incident.Event
		approximate *incident.Count
		exact       *incident.Count
	}{
		"no count":         {[]incident.Event{open}, nil, nil},
		"an estimate only": {[]incident.Event{first, open}, &incident.Count{500, 600, first.At}, nil},
		"then exact":       {[]incident.Event{exact, first, open}, &incident.Count{500, 600, first.At}, &incident.Count{0, 0, exact.At}},
		"two estimates":    {[]incident.Event{exact, second, open, first}, &incident.Count{800, 900, second.At}, &incident.Count{0, 0, exact.At}},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := incident.Fold(tc.events, detected)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Approximate, tc.approximate) || !reflect.DeepEqual(s.Exact, tc.exact) {
				t.Errorf("approximate %+v exact %+v, want %+v and %+v", s.Approximate, s.Exact, tc.approximate, tc.exact)
			}
		})
	}
}

func TestClocks(t *testing.T) {
	id := incidenttest.IncidentID(1)
	open := incidenttest.Opened(id, 1, detected)
	notifiedAt := func(d time.Duration) []incident.Event {
		return []incident.Event{incidenttest.Notified(id, 2, detected.Add(d)), open}
	}
	type clock struct {
		status    incident.ClockStatus
		hoursLeft float64
	}
	for _, tc := range []struct {
		name     string
		events   []incident.Event
		now      time.Duration // after detection
		eprivacy clock
		gdpr     clock
	}{
		{"notified within the hour", notifiedAt(time.Hour), 100 * time.Hour,
			clock{incident.ClockMet, 0}, clock{incident.ClockMet, 0}},
		{"notified at exactly 24 h", notifiedAt(24 * time.Hour), 100 * time.Hour,
			clock{incident.ClockMet, 0}, clock{incident.ClockMet, 0}},
		{"notified at 24 h and 1 µs", notifiedAt(24*time.Hour + time.Microsecond), 100 * time.Hour,
			clock{incident.ClockLate, 0}, clock{incident.ClockMet, 0}},
		{"notified at exactly 72 h", notifiedAt(72 * time.Hour), 100 * time.Hour,
			clock{incident.ClockLate, 0}, clock{incident.ClockMet, 0}},
		{"notified at 72 h and 1 µs", notifiedAt(72*time.Hour + time.Microsecond), 100 * time.Hour,
			clock{incident.ClockLate, 0}, clock{incident.ClockLate, 0}},
		{"not notified, at detection", []incident.Event{open}, 0,
			clock{incident.ClockRunning, 24}, clock{incident.ClockRunning, 72}},
		{"not notified, 10 h 30 min on", []incident.Event{open}, 10*time.Hour + 30*time.Minute,
			clock{incident.ClockRunning, 13.5}, clock{incident.ClockRunning, 61.5}},
		{"not notified, at exactly 24 h", []incident.Event{open}, 24 * time.Hour,
			clock{incident.ClockRunning, 0}, clock{incident.ClockRunning, 48}},
		{"not notified, 30 h on", []incident.Event{open}, 30 * time.Hour,
			clock{incident.ClockOverdue, -6}, clock{incident.ClockRunning, 42}},
		{"not notified, 100 h on", []incident.Event{open}, 100 * time.Hour,
			clock{incident.ClockOverdue, -76}, clock{incident.ClockOverdue, -28}},
		{"closed unnotified, 100 h on", []incident.Event{open, incidenttest.Closed(id, 3, detected.Add(10*time.Hour))}, 100 * time.Hour,
			clock{incident.ClockOverdue, -76}, clock{incident.ClockOverdue, -28}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := incident.Fold(tc.events, detected.Add(tc.now))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Clocks) != 2 || s.Clocks[0].Name != "eprivacy_24h" || s.Clocks[1].Name != "gdpr_72h" {
				t.Fatalf("clocks %+v, want eprivacy_24h then gdpr_72h", s.Clocks)
			}
			for i, want := range []clock{tc.eprivacy, tc.gdpr} {
				c := s.Clocks[i]
				if c.Due != detected.Add(time.Duration(c.Hours)*time.Hour) {
					t.Errorf("%s due %v, want %d h after detection", c.Name, c.Due, c.Hours)
				}
				if got := (clock{c.Status, c.HoursLeft}); got != want {
					t.Errorf("%s = %+v, want %+v", c.Name, got, want)
				}
			}
		})
	}
}

// TestFoldProblems: what the DPO should look at, and what stands.
func TestFoldProblems(t *testing.T) {
	id := incidenttest.IncidentID(1)
	open := incidenttest.Opened(id, 1, detected)
	// Someone opened it again two hours later: the clocks still run from
	// the first awareness.
	reopen := incidenttest.Opened(id, 2, detected.Add(2*time.Hour))
	early := incidenttest.Counted(id, 3, detected.Add(-time.Hour), 5, 5, true)
	closed := incidenttest.Closed(id, 4, detected.Add(48*time.Hour))
	closedAgain := incidenttest.Closed(id, 5, detected.Add(96*time.Hour))
	odd := incidenttest.Closed(id, 6, detected.Add(3*time.Hour))
	odd.Type = "unknown"
	s, err := incident.Fold([]incident.Event{closedAgain, reopen, closed, early, odd, open}, detected.Add(100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !s.DetectedAt.Equal(detected) {
		t.Errorf("detected at %v, want %v", s.DetectedAt, detected)
	}
	if s.Closed == nil || !s.Closed.At.Equal(closed.At) {
		t.Errorf("closed %+v, want the first closing", s.Closed)
	}
	want := []string{
		"counted of 2026-03-07 20:40:00 UTC is dated before the detection of 2026-03-07 21:40:00 UTC",
		"a second opening, of 2026-03-07 23:40:00 UTC: ignored",
		`an event of unknown type "unknown" of 2026-03-08 00:40:00 UTC: ignored`,
		"a second closing, of 2026-03-11 21:40:00 UTC: ignored",
	}
	if !reflect.DeepEqual(s.Problems, want) {
		t.Errorf("problems\n%q\nwant\n%q", s.Problems, want)
	}
}

func TestFoldFails(t *testing.T) {
	id := incidenttest.IncidentID(1)
	if _, err := incident.Fold(nil, detected); err == nil {
		t.Error("Fold of no events succeeded")
	}
	s, err := incident.Fold([]incident.Event{incidenttest.Notified(id, 1, detected)}, detected)
	if !errors.Is(err, incident.ErrNotOpened) || s.ID != id {
		t.Errorf("Fold without an opening = %+v, %v; want the id and ErrNotOpened", s, err)
	}
	other := incidenttest.Opened(incidenttest.IncidentID(2), 2, detected)
	if _, err := incident.Fold([]incident.Event{incidenttest.Opened(id, 1, detected), other}, detected); err == nil {
		t.Error("Fold of two incidents' events succeeded")
	}
}
