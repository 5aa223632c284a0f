package accessrequest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Status is where a request stands.
type Status string

const (
	// StatusOpen: received, neither answered nor refused yet.
	StatusOpen Status = "open"
	// StatusAnswered: the report was delivered.
	StatusAnswered Status = "answered"
	// StatusRefused: the operator refused to act, and said why.
	StatusRefused Status = "refused"
)

// ErrNotReceived is matched (errors.Is) when a request's events have no
// received event: its period has no start, so it has no deadline. That is
// a gap in the log to show as such (someone recorded a check or an answer
// but not the receipt), not a request to leave out.
var ErrNotReceived = errors.New("access request has no received event")

// Request is the state of one access request, folded from its events.
type Request struct {
	ID     string
	Status Status
	// Received is when the request arrived, Channel how, and ReceivedBy
	// who recorded it.
	Received   time.Time
	Channel    Channel
	ReceivedBy string
	// SubjectID is the customer the request is about once the identity
	// was checked (the latest check), IdentityMethod how; empty before.
	SubjectID         string
	IdentityMethod    IdentityMethod
	IdentityCheckedAt time.Time
	// Deadline is the last day of the first month (Art. 12(3)).
	Deadline Date
	// Extended is true when an extension is in force: the subject was told
	// of it within the first month. ExtensionMonths, ExtendedDeadline,
	// ExtensionReason and ExtensionToldAt are that extension's.
	Extended         bool
	ExtensionMonths  int
	ExtendedDeadline Date
	ExtensionReason  string
	ExtensionToldAt  time.Time
	// Answer is set when the request was answered, Refusal when refused.
	Answer  *Answer
	Refusal *Refusal
	// Problems are what the DPO should look at: an extension told too
	// late, an answer without an identity check, events dated before the
	// receipt or recorded after the request was closed. They change
	// nothing in the state but what each says.
	Problems []string
}

// Answer is how a request was answered.
type Answer struct {
	At              time.Time
	ReportHash      string
	Format          Format
	Language        Language
	DeliveryChannel DeliveryChannel
	By              string
}

// Refusal is why a request was refused.
type Refusal struct {
	At     time.Time
	Reason string
	By     string
}

// Due is the last day of the period in force: the extended deadline when an
// extension is in force, else the first month's. A refusal is due by the
// first month's end in any case (Art. 12(4)): see Overdue.
func (r *Request) Due() Date {
	if r.Extended {
		return r.ExtendedDeadline
	}
	return r.Deadline
}

// DaysLeft is the number of Riga calendar days from now to the last day of
// the period in force: 0 on that day, negative once it has passed.
func (r *Request) DaysLeft(now time.Time) int { return DateOf(now).DaysUntil(r.Due()) }

// Overdue reports whether the request missed its deadline: an open request
// whose period in force has run out at now, an answer given after that
// period, or a refusal given after the first month (Art. 12(4) gives the
// reasons for not acting one month, extension or not).
func (r *Request) Overdue(now time.Time) bool {
	switch r.Status {
	case StatusAnswered:
		return !r.Answer.At.Before(r.Due().End())
	case StatusRefused:
		return !r.Refusal.At.Before(r.Deadline.End())
	default:
		return !now.Before(r.Due().End())
	}
}

// Fold returns the state of one request from its events, given in any
// order and with copies: they are applied in the order of At, then
// RecordedAt, then EventID, and an event id counts once (its first copy
// in that order).
//
// The received event starts the request wherever it sorts; a second one
// is a problem and changes nothing. Closing is final: the first answered
// or refused event closes the request, and any event after it is a
// problem and changes nothing. An extension counts only if the subject
// was told of it within the first month (Art. 12(3)); a later one
// replaces an earlier one.
//
// Fold fails with ErrNotReceived when no event is a receipt (the returned
// Request then has only its ID), and when the events are of several
// requests or none.
func Fold(events []Event) (Request, error) {
	if len(events) == 0 {
		return Request{}, errors.New("fold access request: no events")
	}
	r := Request{ID: events[0].RequestID, Status: StatusOpen}
	for _, e := range events {
		if e.RequestID != r.ID {
			return Request{}, fmt.Errorf("fold access request %s: an event of request %s is among its events", r.ID, e.RequestID)
		}
	}
	unique := lineage.Timeline(events, func(e *Event) lineage.Stamp {
		return lineage.Stamp{At: e.At, RecordedAt: e.RecordedAt, ID: e.EventID}
	})
	i := slices.IndexFunc(unique, func(e Event) bool { return e.Type == Received })
	if i < 0 {
		return Request{ID: r.ID}, fmt.Errorf("fold access request %s: %w", r.ID, ErrNotReceived)
	}
	receipt := unique[i]
	r.Received, r.Channel, r.ReceivedBy = receipt.At, receipt.Channel, receipt.Actor
	r.Deadline = PeriodEnd(receipt.At, 1)
	for j, e := range unique {
		if j != i {
			r.apply(e)
		}
	}
	return r, nil
}

// apply folds one event other than the receipt into r.
func (r *Request) apply(e Event) {
	if r.Status != StatusOpen {
		r.problem("%s of %s recorded after the request was closed: ignored", e.Type, DateOf(e.At))
		return
	}
	if e.At.Before(r.Received) {
		r.problem("%s of %s is dated before the receipt of %s", e.Type, DateOf(e.At), DateOf(r.Received))
	}
	switch e.Type {
	case Received:
		r.problem("a second receipt, of %s: ignored", DateOf(e.At))
	case IdentityChecked:
		if r.SubjectID != "" && e.SubjectID != r.SubjectID {
			r.problem("the identity check of %s names another customer than the check of %s", DateOf(e.At), DateOf(r.IdentityCheckedAt))
		}
		r.SubjectID, r.IdentityMethod, r.IdentityCheckedAt = e.SubjectID, e.Method, e.At
	case Extended:
		r.extend(e)
	case Answered:
		if r.SubjectID == "" {
			r.problem("answered on %s without an identity check (policy §29)", DateOf(e.At))
		}
		r.Status = StatusAnswered
		r.Answer = &Answer{At: e.At, ReportHash: e.ReportHash, Format: e.Format, Language: e.Language,
			DeliveryChannel: e.DeliveryChannel, By: e.Actor}
	case Refused:
		r.Status = StatusRefused
		r.Refusal = &Refusal{At: e.At, Reason: e.Reason, By: e.Actor}
	default:
		r.problem("an event of unknown type %q on %s: ignored", e.Type, DateOf(e.At))
	}
}

// extend puts an extension in force if the subject was told of it within
// the first month.
func (r *Request) extend(e Event) {
	if !e.SubjectToldAt.Before(r.Deadline.End()) {
		r.problem("the extension of %s was told to the subject on %s, after the first month ended on %s (GDPR Art. 12(3)): not in force",
			DateOf(e.At), DateOf(e.SubjectToldAt), r.Deadline)
		return
	}
	r.Extended = true
	r.ExtensionMonths = e.ExtensionMonths
	r.ExtendedDeadline = PeriodEnd(r.Received, 1+e.ExtensionMonths)
	r.ExtensionReason = e.Reason
	r.ExtensionToldAt = e.SubjectToldAt
}

func (r *Request) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}
