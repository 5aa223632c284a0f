// Package incidenttest builds valid incident events for tests of every
// layer, so that each test states only what it changes.
package incidenttest

import (
	"fmt"
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// Actor is the caller name every built event is recorded by.
const Actor = "dpo-desk.anna"

// Party is the recipient whose disclosures Opened's breach exposes: the
// processor that prints and posts invoices.
const Party = "rcp-proc-baltic-print-mail"

// Authority is who Notified notifies.
const Authority = "Datu valsts inspekcija"

// IncidentID returns the id of test incident n.
func IncidentID(n int) string { return fmt.Sprintf("IN-2026-%06d", n) }

// event is the part every type shares: event id n (lineagetest.UUID),
// recorded a minute after it happened.
func event(id string, n uint64, typ incident.Type, at time.Time) incident.Event {
	return incident.Event{
		EventID: lineagetest.UUID(n), IncidentID: id, Type: typ,
		At: at, RecordedAt: at.Add(time.Minute), Actor: Actor,
	}
}

// Opened: the operator learned at at that the print-and-post processor
// sent a month of invoices to wrong addresses; the window is the 30 days
// before.
func Opened(id string, n uint64, at time.Time) incident.Event {
	e := event(id, n, incident.Opened, at)
	e.PartyKind, e.Party = incident.Recipient, Party
	e.WindowFrom, e.WindowTo = at.Add(-30*24*time.Hour), at
	e.Nature = "invoices printed by the processor were posted to the previous customer's address after a change to its address matching"
	return e
}

// Counted: subjects and events counted at at, exactly or not.
func Counted(id string, n uint64, at time.Time, subjects, events int64, approximate bool) incident.Event {
	e := event(id, n, incident.Counted, at)
	e.Subjects, e.Events, e.Approximate = subjects, events, approximate
	return e
}

// Notified: the Data State Inspectorate was notified at at.
func Notified(id string, n uint64, at time.Time) incident.Event {
	e := event(id, n, incident.AuthorityNotified, at)
	e.Authority, e.Reference = Authority, "DVI-2026-0042"
	return e
}

// Closed: the incident was closed at at.
func Closed(id string, n uint64, at time.Time) incident.Event {
	e := event(id, n, incident.Closed, at)
	e.Reason = "the processor corrected its address matching and the misdirected letters were retrieved or destroyed"
	return e
}
