package chstore

import (
	"math"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// RecipientsQuery asks who received a subject's data. From and To bound
// occurred_at (From inclusive, To exclusive); a zero time leaves that side open.
type RecipientsQuery struct {
	SubjectID  string
	From, To   time.Time
	Restricted Restricted
}

// Restricted says whether restricted disclosures (lineage.Restriction) are
// part of an answer. The zero value leaves out those not lapsed by now: the
// view for the subject and for an access responder.
type Restricted struct {
	// Include shows them all: the DPO's view.
	Include bool
	// Now is when restrictions are judged; zero means the time of the query.
	Now time.Time
}

// visibleUS is the restriction_review_us up to which rows are answered.
func (r Restricted) visibleUS() int64 {
	switch {
	case r.Include:
		return math.MaxInt64
	case r.Now.IsZero():
		return time.Now().UnixMicro()
	default:
		return r.Now.UnixMicro()
	}
}

// RecipientsAnswer is who received a subject's data, and the windows of
// its identifiers whose events are left out because another customer's
// link covers them too.
type RecipientsAnswer struct {
	Recipients []RecipientSummary
	Contested  []ContestedWindow
}

// RecipientSummary is one recipient of a subject's data: what it received,
// why, and when. A recipient whose country or transfer mechanism changed
// over time appears once per (category, country, mechanism).
type RecipientSummary struct {
	ID                string
	Name              string // the name on the most recent event
	Category          string
	Country           string
	TransferMechanism string // empty inside the EU/EEA
	Kinds             []string
	DataCategories    []string
	Purposes          []string
	LegalBases        []string
	First, Last       time.Time
	Events            uint64 // distinct event ids: a retried event counts once
}

// EventsQuery asks for a subject's timeline, newest first. After continues
// from the last event of the previous page; Limit is the page size.
type EventsQuery struct {
	SubjectID  string
	From, To   time.Time
	Limit      int
	After      *Cursor
	Restricted Restricted
}

// Cursor is the position of an event in a timeline: the timeline is ordered
// by (OccurredAt, EventID), both descending.
type Cursor struct {
	OccurredAt time.Time
	EventID    string
}

// EventsPage is one page of a timeline. Next is nil on the last page.
// Contested are the windows of the subject's identifiers whose events are
// left out because another customer's link covers them too.
type EventsPage struct {
	Events    []StoredEvent
	Next      *Cursor
	Contested []ContestedWindow
}

// StoredEvent is an event as stored, with where it came from in Kafka.
type StoredEvent struct {
	lineage.Event
	Partition int32
	Offset    int64
}
