package incident

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// ErrNotOpened is matched (errors.Is) when an incident's events have no
// opened event: the clocks have no start. That is a gap in the log to show
// as such, not an incident to leave out.
var ErrNotOpened = errors.New("incident has no opened event")

// State is one incident, folded from its events.
type State struct {
	ID string
	// DetectedAt is the opened event's At: when the operator became aware
	// of the breach. Both clocks run from it.
	DetectedAt time.Time
	// PartyKind, Party, WindowFrom, WindowTo and Nature are the opened
	// event's.
	PartyKind  PartyKind
	Party      string
	WindowFrom time.Time
	WindowTo   time.Time
	Nature     string
	// Approximate is the latest estimate, Exact the latest exact count;
	// nil when there is none. An exact count does not hide the estimate:
	// the DPO may want to see how far off it was.
	Approximate *Count
	Exact       *Count
	// Notified is the first notification of the authority, the one the
	// clocks stop at; nil if none.
	Notified *Notification
	// Closed is the first closing; nil while the incident is open.
	Closed *Closure
	// Clocks are the two notification deadlines, in this order:
	// eprivacy_24h, gdpr_72h.
	Clocks []Clock
	// Problems are what the DPO should look at: a second opened or closed
	// event (ignored), events dated before the detection, events of an
	// unknown type (ignored). They change nothing in the state but what
	// each says.
	Problems []string
}

// Count is one count of what the breach exposes.
type Count struct {
	Subjects int64
	Events   int64
	At       time.Time
}

// Notification is a notification of the authority.
type Notification struct {
	At        time.Time
	Authority string
	Reference string
}

// Closure is why and when an incident was closed.
type Closure struct {
	At     time.Time
	Reason string
}

// ClockStatus is where a notification clock stands.
type ClockStatus string

const (
	// ClockMet: the authority was notified at or before the deadline.
	ClockMet ClockStatus = "met"
	// ClockLate: the authority was notified after the deadline.
	ClockLate ClockStatus = "late"
	// ClockRunning: not notified yet, and the deadline has not passed.
	ClockRunning ClockStatus = "running"
	// ClockOverdue: not notified, and the deadline has passed.
	ClockOverdue ClockStatus = "overdue"
)

// Clock is one notification deadline, counted in hours from DetectedAt.
type Clock struct {
	Name  string
	Law   string
	Hours int
	// Due is DetectedAt plus Hours.
	Due    time.Time
	Status ClockStatus
	// HoursLeft is the hours from now to Due, negative once Due has
	// passed; 0 once the authority was notified, met or late.
	HoursLeft float64
}

// clocks are the deadlines of a breach at a provider of public electronic
// communications services, shortest first.
//
// The 24-hour rule is Regulation (EU) No 611/2013 Art. 2(2): notify the
// competent national authority no later than 24 hours after detecting the
// breach, where feasible (Art. 2(3) lets the rest of the information
// follow within three days). The 72-hour rule is GDPR Art. 33(1): without
// undue delay and, where feasible, not later than 72 hours after becoming
// aware of it. Which applies depends on whether the breach is one in the
// provision of the communications service (GDPR Art. 95); the tracker
// shows both and leaves that to the DPO.
var clocks = []struct {
	name, law string
	hours     int
}{
	{"eprivacy_24h", "Regulation (EU) No 611/2013 Art. 2(2)", 24},
	{"gdpr_72h", "GDPR Art. 33(1)", 72},
}

// Fold returns the state of one incident from its events, given in any
// order and with copies, and its clocks at now. The events are applied in
// the order of At, then RecordedAt, then EventID, and an event id counts
// once (its first copy in that order).
//
// The earliest opened event starts the incident: the clocks run from the
// earliest awareness, so a second opened event cannot buy time; it is a
// problem and changes nothing. The latest count of each kind stands. The
// earliest notification and the earliest closing stand; later
// notifications (the information given in phases, GDPR Art. 33(4)) change
// nothing. Closing does not stop the clocks: the 24-hour rule knows no
// breach too small to notify, so an incident closed unnotified shows its
// clocks overdue, and the closing reason is where the DPO says why.
//
// Fold fails with ErrNotOpened when no event is an opening (the returned
// State then has only its ID), and when the events are of several
// incidents or none.
func Fold(events []Event, now time.Time) (State, error) {
	if len(events) == 0 {
		return State{}, fmt.Errorf("fold incident: no events: %w", ErrNotOpened)
	}
	s := State{ID: events[0].IncidentID}
	for _, e := range events {
		if e.IncidentID != s.ID {
			return State{}, fmt.Errorf("fold incident %s: an event of incident %s is among its events", s.ID, e.IncidentID)
		}
	}
	unique := lineage.Timeline(events, func(e *Event) lineage.Stamp {
		return lineage.Stamp{At: e.At, RecordedAt: e.RecordedAt, ID: e.EventID}
	})
	i := slices.IndexFunc(unique, func(e Event) bool { return e.Type == Opened })
	if i < 0 {
		return State{ID: s.ID}, fmt.Errorf("fold incident %s: %w", s.ID, ErrNotOpened)
	}
	o := unique[i]
	s.DetectedAt, s.PartyKind, s.Party = o.At, o.PartyKind, o.Party
	s.WindowFrom, s.WindowTo, s.Nature = o.WindowFrom, o.WindowTo, o.Nature
	for j, e := range unique {
		if j != i {
			s.apply(e)
		}
	}
	s.Clocks = make([]Clock, len(clocks))
	for k, c := range clocks {
		s.Clocks[k] = s.clock(c.name, c.law, c.hours, now)
	}
	return s, nil
}

// apply folds one event other than the opening into s.
func (s *State) apply(e Event) {
	if e.At.Before(s.DetectedAt) {
		s.problem("%s of %s is dated before the detection of %s", e.Type, stamp(e.At), stamp(s.DetectedAt))
	}
	switch e.Type {
	case Opened:
		s.problem("a second opening, of %s: ignored", stamp(e.At))
	case Counted:
		// Events come in order of At, so the last of each kind is the
		// latest.
		c := &Count{Subjects: e.Subjects, Events: e.Events, At: e.At}
		if e.Approximate {
			s.Approximate = c
		} else {
			s.Exact = c
		}
	case AuthorityNotified:
		if s.Notified == nil {
			s.Notified = &Notification{At: e.At, Authority: e.Authority, Reference: e.Reference}
		}
	case Closed:
		if s.Closed != nil {
			s.problem("a second closing, of %s: ignored", stamp(e.At))
			return
		}
		s.Closed = &Closure{At: e.At, Reason: e.Reason}
	default:
		s.problem("an event of unknown type %q of %s: ignored", e.Type, stamp(e.At))
	}
}

// clock is one deadline at now. One notification answers both clocks: in
// Latvia the Data State Inspectorate receives the notification under
// either rule, and reading one notification of it as answering both is
// ours, not the law's.
func (s *State) clock(name, law string, hours int, now time.Time) Clock {
	c := Clock{Name: name, Law: law, Hours: hours, Due: s.DetectedAt.Add(time.Duration(hours) * time.Hour)}
	switch {
	case s.Notified != nil && !s.Notified.At.After(c.Due):
		c.Status = ClockMet
	case s.Notified != nil:
		c.Status = ClockLate
	case !now.After(c.Due):
		c.Status, c.HoursLeft = ClockRunning, c.Due.Sub(now).Hours()
	default:
		c.Status, c.HoursLeft = ClockOverdue, c.Due.Sub(now).Hours()
	}
	return c
}

func (s *State) problem(format string, args ...any) {
	s.Problems = append(s.Problems, fmt.Sprintf(format, args...))
}

// stamp is a time as problems show it: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.DateTime) + " UTC" }
