// Package incident is the record of personal-data breaches: each incident
// is recorded as events (opened, counted, authority notified, closed), and
// Fold turns the events of one incident into its state and its two
// notification clocks, both running from when the operator became aware of
// the breach: 24 hours for a provider of public electronic communications
// services (Regulation (EU) No 611/2013 Art. 2(2)) and 72 hours under GDPR
// Art. 33(1).
//
// An incident names whose disclosures it exposes (a recipient, or one of
// the operator's source systems) and over which period, so that the
// lineage log can count the subjects and events concerned.
//
// The package knows nothing of Kafka, ClickHouse or HTTP: package wire
// encodes an Event for the incidents topic, and the store keeps them.
package incident

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

// Type is what happened to an incident. The values are the Avro enum
// symbols (schemas/incidents); a reader gets "unknown" for a type newer
// than its schema, which Validate rejects.
type Type string

const (
	// Opened: the operator became aware of the breach. Its At is the
	// detection, from which both clocks run.
	Opened Type = "opened"
	// Counted: the subjects and disclosure events the breach exposes were
	// counted, approximately (a first estimate) or exactly.
	Counted Type = "counted"
	// AuthorityNotified: the supervisory authority was notified.
	AuthorityNotified Type = "authority_notified"
	// Closed: the DPO closed the incident, and said why.
	Closed Type = "closed"
)

// PartyKind says what Party names.
type PartyKind string

const (
	// Recipient: Party is a recipient id as lineage events name it, such
	// as a processor whose systems were breached.
	Recipient PartyKind = "recipient"
	// SourceSystem: Party is a source-system code of the taxonomy, one of
	// the operator's own systems.
	SourceSystem PartyKind = "source_system"
)

// Valid reports whether k is a known party kind.
func (k PartyKind) Valid() bool { return k == Recipient || k == SourceSystem }

// Event is one fact about one incident. The fields after Actor belong to
// one type each and are empty (zero) for every other type; the wire codec
// writes zero as the schema's null, except the counts of a counted event,
// where 0 and false are values. An Event is a plain value: not safe for
// concurrent mutation, safe to share once built.
type Event struct {
	// EventID is a UUID chosen by whoever records the fact; a retry keeps
	// it, and Fold counts an id once.
	EventID string
	// IncidentID names the incident: "IN-" and 8 to 32 letters, digits and
	// hyphens (see ValidIncidentID). Records are keyed by it.
	IncidentID string
	Type       Type
	// At is when it happened; for Opened, when the operator became aware
	// of the breach. RecordedAt is when it was recorded. Microseconds.
	At         time.Time
	RecordedAt time.Time
	// Actor is the caller name of the employee who recorded the fact.
	Actor string

	// PartyKind and Party name whose disclosures the breach exposes, and
	// [WindowFrom, WindowTo) the period of those disclosures; Nature is
	// what happened, in the DPO's words (free text, never echoed in
	// errors). Opened only.
	PartyKind  PartyKind
	Party      string
	WindowFrom time.Time
	WindowTo   time.Time
	Nature     string

	// Subjects and Events are how many data subjects and disclosure
	// events the breach exposes; Approximate is true for a quick estimate,
	// false for the exact count. Counted only.
	Subjects    int64
	Events      int64
	Approximate bool

	// Authority is who was notified, Reference the notification's
	// reference (optional). AuthorityNotified only.
	Authority string
	Reference string

	// Reason says why the incident was closed. Closed only; free text,
	// never echoed in errors.
	Reason string
}

// Limits of an event.
const (
	MaxPartyLen     = 64
	MaxNatureLen    = 2048
	MaxAuthorityLen = 128
	MaxReferenceLen = 128
	MaxReasonLen    = 1024
	minIncidentID   = 8
	maxIncidentID   = 32
)

// GDPRApplies is the first day the GDPR applied (Art. 99(2)), midnight in
// Riga (UTC+3 in May): the incident log starts there, so an earlier at is
// a mistake (usually seconds sent as microseconds).
var GDPRApplies = time.Date(2018, time.May, 24, 21, 0, 0, 0, time.UTC)

const gdprSince = "2018-05-25, when the GDPR began to apply"

// ErrInvalid is matched (errors.Is) by every validation failure.
var ErrInvalid = errors.New("invalid incident event")

// ValidationError lists every broken rule of one event, in the project's
// form (lineage.ValidationError): the field as the schema names it, and
// the rule; errors.Is(err, ErrInvalid) is true.
type ValidationError = lineage.ValidationError

type checker struct{ lineage.Rules }

func (c *checker) fail(field, rule, value string) { c.Fail(field, rule, value) }

// Validate checks the event and returns a *ValidationError naming every
// broken rule, or nil. now bounds the times from above (clock skew
// allowed, as for lineage events).
func (e *Event) Validate(now time.Time) error {
	var c checker
	if !lineage.ValidUUID(e.EventID) {
		c.fail("event_id", "must be a UUID in its text form (8-4-4-4-12 hex digits)", "")
	}
	if !ValidIncidentID(e.IncidentID) {
		c.fail("incident_id", "must be IN- and 8 to 32 letters, digits and hyphens", "")
	}
	c.time("at", e.At, GDPRApplies, gdprSince, now)
	c.time("recorded_at", e.RecordedAt, GDPRApplies, gdprSince, now)
	if e.RecordedAt.Before(e.At) {
		c.fail("recorded_at", "must not be earlier than at", "")
	}
	if !lineage.ValidCallerName(e.Actor) {
		c.fail("actor", "must be the caller name of who recorded it: 1-64 letters, digits and _ . -", "")
	}
	switch e.Type {
	case Opened:
		c.party(e.PartyKind, e.Party)
		c.window(e.WindowFrom, e.WindowTo, now)
		c.text("nature", e.Nature, MaxNatureLen, true)
	case Counted:
		// Zero is a count: an investigation may find that nobody's data
		// were exposed after all.
		if e.Subjects < 0 {
			c.fail("subjects", "must be 0 or more", "")
		}
		if e.Events < 0 {
			c.fail("events", "must be 0 or more", "")
		}
	case AuthorityNotified:
		c.text("authority", e.Authority, MaxAuthorityLen, true)
		c.text("reference", e.Reference, MaxReferenceLen, false)
	case Closed:
		c.text("reason", e.Reason, MaxReasonLen, true)
	default:
		c.fail("type", "must be opened, counted, authority_notified or closed", string(e.Type))
	}
	c.onlyFor(e)
	return c.Err("incident event", ErrInvalid)
}

// time checks that t is not before earliest (named by since, a Riga date)
// and not in the future.
func (c *checker) time(field string, t, earliest time.Time, since string, now time.Time) {
	switch {
	case t.Before(earliest):
		c.fail(field, "must not be before "+since+" (microseconds since the epoch)", "")
	case t.After(now.Add(lineage.MaxFutureSkew)):
		c.fail(field, "must not be in the future", "")
	}
}

// party checks that the party is something the lineage log knows by that
// name, so that the incident's subjects and events can be counted there.
func (c *checker) party(kind PartyKind, party string) {
	if !kind.Valid() {
		c.fail("party_kind", "must be recipient or source_system", string(kind))
	}
	if !validParty(party) {
		c.fail("party", "must be 1-64 characters of a-z, 0-9 and _ . -", "")
		return
	}
	// The shape above is narrower than lineage's rule for recipient ids;
	// the recipient must still pass that rule, should it narrow too.
	switch kind {
	case Recipient:
		if !lineage.ValidRecipientID(party) {
			c.fail("party", "must be a recipient id as lineage events name it", "")
		}
	case SourceSystem:
		if _, ok := taxonomy.LookupSourceSystem(party); !ok {
			c.fail("party", "must be a source-system code of the taxonomy", party)
		}
	}
}

// window checks the period of exposed disclosures. It may begin before the
// GDPR applied (a breach can expose data disclosed long ago), but not
// before the lineage log's earliest event; it cannot end in the future,
// since disclosures not yet made are not exposed.
func (c *checker) window(from, to, now time.Time) {
	if from.IsZero() {
		c.fail("window_from", "required: the start of the period whose disclosures the breach exposes", "")
	} else {
		c.time("window_from", from, lineage.Earliest, "2000-01-01", now)
	}
	if to.IsZero() {
		c.fail("window_to", "required: the end of the period whose disclosures the breach exposes", "")
	} else {
		c.time("window_to", to, lineage.Earliest, "2000-01-01", now)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		c.fail("window_to", "must be later than window_from", "")
	}
}

func (c *checker) text(field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		c.fail(field, "required: 1 to "+strconv.Itoa(max)+" bytes", "")
	case s != "" && (strings.TrimSpace(s) == "" || len(s) > max):
		c.fail(field, "must be 1 to "+strconv.Itoa(max)+" bytes, not blank", "")
	}
}

// onlyFor refuses the fields of another type than e's: a notification
// carrying a count is a mistake somewhere, not a fact to keep.
func (c *checker) onlyFor(e *Event) {
	for _, f := range []struct {
		field string
		set   bool
		typ   Type
	}{
		{"party_kind", e.PartyKind != "", Opened},
		{"party", e.Party != "", Opened},
		{"window_from", !e.WindowFrom.IsZero(), Opened},
		{"window_to", !e.WindowTo.IsZero(), Opened},
		{"nature", e.Nature != "", Opened},
		{"subjects", e.Subjects != 0, Counted},
		{"events", e.Events != 0, Counted},
		{"approximate", e.Approximate, Counted},
		{"authority", e.Authority != "", AuthorityNotified},
		{"reference", e.Reference != "", AuthorityNotified},
		{"reason", e.Reason != "", Closed},
	} {
		if f.set && e.Type != f.typ {
			c.fail(f.field, "only for an event of type "+string(f.typ), "")
		}
	}
}

// ValidIncidentID reports whether s names an incident: "IN-" and 8 to 32
// letters, digits and hyphens. The shape keeps names, customer ids and
// e-mail addresses out of the incident log's key.
func ValidIncidentID(s string) bool {
	rest, ok := strings.CutPrefix(s, "IN-")
	if !ok || len(rest) < minIncidentID || len(rest) > maxIncidentID {
		return false
	}
	for i := 0; i < len(rest); i++ {
		b := rest[i]
		if !(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z') && !(b >= '0' && b <= '9') && b != '-' {
			return false
		}
	}
	return true
}

func validParty(s string) bool {
	if s == "" || len(s) > MaxPartyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z') && !(b >= '0' && b <= '9') && b != '_' && b != '.' && b != '-' {
			return false
		}
	}
	return true
}
