package subjectfact

import (
	"cmp"
	"slices"
	"time"
)

// Received is what one recipient received of a subject's data, as the
// subject's disclosure events show it.
type Received struct {
	RecipientID string
	Name        string
	Categories  []string
	First, Last time.Time
	// Events counts distinct event ids.
	Events uint64
}

// ErasureState is where one recipient stands with an erasure.
type ErasureState string

const (
	// NotNotified: the recipient received the data and has not been told.
	NotNotified ErasureState = "not_notified"
	// AwaitingConfirmation: told, not yet confirmed.
	AwaitingConfirmation ErasureState = "awaiting_confirmation"
	// Confirmed: the recipient confirmed that it erased the data.
	Confirmed ErasureState = "confirmed"
)

// RecipientErasure is one recipient the erasure must reach.
type RecipientErasure struct {
	Received
	State ErasureState
	// NotifiedAt and ConfirmedAt are zero until it happened.
	NotifiedAt, ConfirmedAt time.Time
	// DaysWaited counts whole days from the notice (from the request while
	// there is none) to the confirmation, or to now while there is none.
	DaysWaited int
	// AfterRequest is set when the recipient received data after the
	// erasure was requested: a disclosure that should not have happened.
	AfterRequest bool
}

// Erasure is the state of a subject's erasure (GDPR Art. 17(2), Art. 19):
// every recipient that actually received the subject's data, and whether
// it was told and confirmed.
type Erasure struct {
	SubjectID   string
	FactID      string
	RequestedAt time.Time
	Reference   string
	// Recipients come ordered: not notified first, then awaiting
	// confirmation, the longest wait first; confirmed last.
	Recipients []RecipientErasure
	// Unconfirmed counts the recipients not yet confirmed.
	Unconfirmed int
}

// ErasureOf folds a subject's facts and the recipients of its data into
// the state of its latest erasure request; ok is false when the subject
// never asked. Notices and confirmations count from that request on: a
// recipient told of an earlier erasure must be told again. A recipient
// that is told or confirms without a recorded disclosure is listed too,
// with no events, so that nothing recorded is hidden.
func ErasureOf(subject string, facts []Fact, received []Received, now time.Time) (e Erasure, ok bool) {
	facts = ordered(facts)
	var request Fact
	for _, f := range facts {
		if f.Type == ErasureRequested {
			request, ok = f, true
		}
	}
	if !ok {
		return Erasure{}, false
	}
	e = Erasure{SubjectID: subject, FactID: request.ID, RequestedAt: request.At, Reference: request.Reference}
	byID := make(map[string]*RecipientErasure, len(received))
	for _, r := range received {
		e.Recipients = append(e.Recipients, RecipientErasure{Received: r})
	}
	for _, f := range facts {
		if f.At.Before(request.At) || (f.Type != ErasureNotified && f.Type != ErasureConfirmed) {
			continue
		}
		if !slices.ContainsFunc(e.Recipients, func(r RecipientErasure) bool { return r.RecipientID == f.RecipientID }) {
			e.Recipients = append(e.Recipients, RecipientErasure{Received: Received{RecipientID: f.RecipientID}})
		}
	}
	for i := range e.Recipients {
		byID[e.Recipients[i].RecipientID] = &e.Recipients[i]
	}
	for _, f := range facts {
		r := byID[f.RecipientID]
		if r == nil || f.At.Before(request.At) {
			continue
		}
		// The first notice and the first confirmation count: a second
		// notice does not restart the wait.
		switch {
		case f.Type == ErasureNotified && r.NotifiedAt.IsZero():
			r.NotifiedAt = f.At
		case f.Type == ErasureConfirmed && r.ConfirmedAt.IsZero():
			r.ConfirmedAt = f.At
		}
	}
	for i := range e.Recipients {
		r := &e.Recipients[i]
		r.AfterRequest = r.Last.After(request.At)
		start, end := request.At, now
		if !r.NotifiedAt.IsZero() {
			start = r.NotifiedAt
		}
		switch {
		case !r.ConfirmedAt.IsZero():
			r.State, end = Confirmed, r.ConfirmedAt
		case !r.NotifiedAt.IsZero():
			r.State = AwaitingConfirmation
		default:
			r.State = NotNotified
		}
		if r.State != Confirmed {
			e.Unconfirmed++
		}
		if end.After(start) {
			r.DaysWaited = int(end.Sub(start) / (24 * time.Hour))
		}
	}
	rank := map[ErasureState]int{NotNotified: 0, AwaitingConfirmation: 1, Confirmed: 2}
	slices.SortFunc(e.Recipients, func(a, b RecipientErasure) int {
		return cmp.Or(cmp.Compare(rank[a.State], rank[b.State]), cmp.Compare(b.DaysWaited, a.DaysWaited), cmp.Compare(a.RecipientID, b.RecipientID))
	})
	return e, true
}
