package subjectfact

import (
	"cmp"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Use is what the flags need of one lineage event of a subject.
type Use struct {
	EventID    string
	OccurredAt time.Time
	Kind       lineage.Kind
	Purpose    string
	LegalBasis string
}

// FlagKind names what a flagged event did wrong.
type FlagKind string

const (
	// ConsentAfterWithdrawal: an event on the basis of consent, for a
	// purpose whose consent the subject had withdrawn (§35) and not given
	// again.
	ConsentAfterWithdrawal FlagKind = "consent_after_withdrawal"
	// OptOutException: a commercial message within OptOutGrace of an
	// opt-out: inside the "up to 2 days" §46 allows in some cases.
	OptOutException FlagKind = "opt_out_exception"
	// OptOutViolation: a commercial message later than that.
	OptOutViolation FlagKind = "opt_out_violation"
)

// OptOutGrace is the longest an opt-out may take to execute in the cases
// §46 excepts ("atsevišķos gadījumos ... līdz 2 dienām"); the rule is at
// once. Reading 2 days as 48 hours from the opt-out is ours.
const OptOutGrace = 48 * time.Hour

// Flag is one event that came after a withdrawal or an opt-out.
type Flag struct {
	Kind       FlagKind
	SubjectID  string
	EventID    string
	OccurredAt time.Time
	Purpose    string
	LegalBasis string
	// FactID and Since are the withdrawal or opt-out the event came
	// after; After is how long after.
	FactID string
	Since  time.Time
	After  time.Duration
}

// Flags returns the events of one subject that came after a withdrawal of
// the consent they relied on, or after an opt-out of commercial
// communication, ordered by time. facts and uses are the subject's, in
// any order; each fact and event id counts once.
//
// An event at the very instant of a withdrawal is not flagged: the
// withdrawal is in force after it. A message on the §43 basis
// (similar_offer) is never a use of consent, but an opt-out stops it as
// any other commercial message; a marketing consent given after an
// opt-out lifts it.
func Flags(subject string, facts []Fact, uses []Use) []Flag {
	facts = ordered(facts)
	var flags []Flag
	seen := make(map[string]bool, len(uses))
	for _, u := range uses {
		if seen[u.EventID] {
			continue
		}
		seen[u.EventID] = true
		if u.LegalBasis == "consent" {
			if f, ok := lastBefore(facts, u.OccurredAt, func(f *Fact) bool {
				return (f.Type == ConsentGiven || f.Type == ConsentWithdrawn) && f.Purpose == u.Purpose
			}); ok && f.Type == ConsentWithdrawn {
				flags = append(flags, flag(ConsentAfterWithdrawal, subject, u, f))
			}
		}
		if u.Purpose == CommercialCommunication {
			if f, ok := lastBefore(facts, u.OccurredAt, func(f *Fact) bool {
				return f.Type == OptedOut || f.Type == ConsentGiven && f.Purpose == CommercialCommunication
			}); ok && f.Type == OptedOut {
				kind := OptOutViolation
				if u.OccurredAt.Sub(f.At) <= OptOutGrace {
					kind = OptOutException
				}
				flags = append(flags, flag(kind, subject, u, f))
			}
		}
	}
	slices.SortFunc(flags, func(a, b Flag) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.EventID, b.EventID), cmp.Compare(a.Kind, b.Kind))
	})
	return flags
}

func flag(kind FlagKind, subject string, u Use, f Fact) Flag {
	return Flag{
		Kind: kind, SubjectID: subject, EventID: u.EventID, OccurredAt: u.OccurredAt,
		Purpose: u.Purpose, LegalBasis: u.LegalBasis,
		FactID: f.ID, Since: f.At, After: u.OccurredAt.Sub(f.At),
	}
}

// ordered returns the facts each id once, by the time they happened; facts
// of one instant by when they were recorded, so a correction recorded
// later wins.
func ordered(facts []Fact) []Fact {
	return lineage.Timeline(facts, func(f *Fact) lineage.Stamp {
		return lineage.Stamp{At: f.At, RecordedAt: f.RecordedAt, ID: f.ID}
	})
}

// lastBefore returns the last of the ordered facts that match and happened
// strictly before t.
func lastBefore(facts []Fact, t time.Time, match func(*Fact) bool) (Fact, bool) {
	for i := len(facts) - 1; i >= 0; i-- {
		if facts[i].At.Before(t) && match(&facts[i]) {
			return facts[i], true
		}
	}
	return Fact{}, false
}
