package register

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Flow is one observed combination in the stored events.
type Flow struct {
	SourceSystem, Purpose, LegalBasis                          string
	RecipientID, RecipientCategory, Country, TransferMechanism string // empty for accesses
	Events                                                     uint64
	First, Last                                                time.Time
}

// Undeclared is an observed flow that no activity declares.
type Undeclared struct {
	Flow Flow
	// Activities are the ids of the activities that declare the flow's
	// source system, purpose and legal basis, sorted: for an undeclared
	// recipient those the recipient might belong to, for an undeclared
	// transfer those that list the recipient with another country or
	// mechanism. Empty for an undeclared purpose.
	Activities []string
	// Reason says in a short English sentence what is missing.
	Reason string
}

// Unused is a declaration that no observed flow matches.
type Unused struct {
	ActivityID string
	// RecipientID is the unused recipient, or "" when the activity itself
	// matched no flow (its recipients are then not listed one by one).
	RecipientID string
	// Reason says in a short English sentence what was never seen.
	Reason string
}

// Differences between the declared register and the observed flows, split
// by what a DPO does about them: an undeclared purpose needs a new activity
// (or the processing stopped), an undeclared recipient an addition to an
// existing activity, an undeclared transfer a check of where the recipient
// gets the data and under which Chapter V safeguard, and an unused
// declaration either a register clean-up or a system that does not report.
// Every slice is sorted, so that two comparisons of the same input are
// equal and diffs between runs are readable.
type Differences struct {
	// UndeclaredPurposes are flows whose source system, purpose and legal
	// basis no activity declares together.
	UndeclaredPurposes []Undeclared
	// UndeclaredRecipients are flows to a recipient that none of the
	// activities declaring the flow's source system, purpose and basis
	// lists.
	UndeclaredRecipients []Undeclared
	// UndeclaredTransfers are flows to a declared recipient seen in another
	// country or under another transfer mechanism than declared.
	UndeclaredTransfers []Undeclared
	// Unused are activities, and recipients of activities, that no
	// observed flow matches.
	Unused []Unused
}

// Compare matches the observed flows against the register.
//
// A flow matches an activity when the activity lists the flow's source
// system and has the flow's purpose and legal basis; a flow with a
// recipient must in addition find that recipient id in the activity, with
// the same country and the same transfer mechanism (both empty inside the
// EEA). Country and mechanism must be equal because either one changing is
// what Art. 30(1)(e) and Chapter V ask the controller to record.
//
// The flows carry neither the legitimate interest nor the data categories,
// so neither takes part in the match: two activities that differ only by
// interest (e.g. debt collection under §7.27 and credit checks under §7.5)
// both count as used by the same flow. The recipient category is not
// compared either: the id names the legal entity, the category only
// describes it.
//
// Each undeclared flow is classified by the first thing that fails, in the
// order purpose, recipient, country or mechanism.
func (r *Register) Compare(observed []Flow) Differences {
	var d Differences
	usedActivity := make(map[string]bool)
	usedRecipient := make(map[[2]string]bool) // activity id, recipient id
	for _, f := range observed {
		var candidates []*Activity
		for i := range r.Activities {
			if a := &r.Activities[i]; a.declares(f) {
				candidates = append(candidates, a)
				usedActivity[a.ID] = true
			}
		}
		if len(candidates) == 0 {
			d.UndeclaredPurposes = append(d.UndeclaredPurposes, Undeclared{Flow: f, Reason: r.purposeReason(f)})
			continue
		}
		if f.RecipientID == "" {
			continue
		}
		matched := false
		var elsewhere []string // activities listing the id with another country or mechanism
		var declaredAs Recipient
		for _, a := range candidates {
			for _, rc := range a.Recipients {
				switch {
				case rc.ID != f.RecipientID:
				case rc.Country == f.Country && rc.TransferMechanism == f.TransferMechanism:
					matched = true
					usedRecipient[[2]string{a.ID, rc.ID}] = true
				default:
					if len(elsewhere) == 0 {
						declaredAs = rc
					}
					elsewhere = append(elsewhere, a.ID)
				}
			}
		}
		switch {
		case matched:
		case len(elsewhere) > 0:
			d.UndeclaredTransfers = append(d.UndeclaredTransfers, Undeclared{
				Flow: f, Activities: sortedIDs(elsewhere), Reason: transferReason(declaredAs, f),
			})
		default:
			ids := make([]string, len(candidates))
			for i, a := range candidates {
				ids[i] = a.ID
			}
			d.UndeclaredRecipients = append(d.UndeclaredRecipients, Undeclared{
				Flow: f, Activities: sortedIDs(ids), Reason: r.recipientReason(f),
			})
		}
	}

	for _, a := range r.Activities {
		if !usedActivity[a.ID] {
			d.Unused = append(d.Unused, Unused{ActivityID: a.ID, Reason: fmt.Sprintf(
				"no flow observed from %s for purpose %s on basis %s", strings.Join(a.SourceSystems, ", "), a.Purpose, a.LegalBasis)})
			continue
		}
		for _, rc := range a.Recipients {
			if !usedRecipient[[2]string{a.ID, rc.ID}] {
				d.Unused = append(d.Unused, Unused{ActivityID: a.ID, RecipientID: rc.ID, Reason: fmt.Sprintf(
					"no flow observed to %s in %s for this activity", rc.ID, place(rc.Country, rc.TransferMechanism))})
			}
		}
	}

	for _, s := range [][]Undeclared{d.UndeclaredPurposes, d.UndeclaredRecipients, d.UndeclaredTransfers} {
		slices.SortFunc(s, func(a, b Undeclared) int { return compareFlows(a.Flow, b.Flow) })
	}
	slices.SortFunc(d.Unused, func(a, b Unused) int {
		return cmp.Or(strings.Compare(a.ActivityID, b.ActivityID), strings.Compare(a.RecipientID, b.RecipientID))
	})
	return d
}

// declares reports whether the activity covers the flow's source system,
// purpose and legal basis.
func (a *Activity) declares(f Flow) bool {
	return a.Purpose == f.Purpose && a.LegalBasis == f.LegalBasis && slices.Contains(a.SourceSystems, f.SourceSystem)
}

// purposeReason explains an undeclared purpose, saying what the register
// does declare for the source system so that a mere basis mismatch stands
// out from a purpose never declared.
func (r *Register) purposeReason(f Flow) string {
	var bases []string
	known := false
	for _, a := range r.Activities {
		if !slices.Contains(a.SourceSystems, f.SourceSystem) {
			continue
		}
		known = true
		if a.Purpose == f.Purpose {
			bases = append(bases, a.LegalBasis)
		}
	}
	switch {
	case !known:
		return fmt.Sprintf("no activity declares source system %s", f.SourceSystem)
	case len(bases) > 0:
		return fmt.Sprintf("purpose %s is declared for %s only on basis %s, seen on %s",
			f.Purpose, f.SourceSystem, strings.Join(sortedIDs(bases), ", "), f.LegalBasis)
	default:
		return fmt.Sprintf("purpose %s on basis %s is not declared for %s", f.Purpose, f.LegalBasis, f.SourceSystem)
	}
}

// recipientReason explains an undeclared recipient, naming the activities
// that declare it for another source, purpose or basis, if any.
func (r *Register) recipientReason(f Flow) string {
	var other []string
	for _, a := range r.Activities {
		if slices.ContainsFunc(a.Recipients, func(rc Recipient) bool { return rc.ID == f.RecipientID }) {
			other = append(other, a.ID)
		}
	}
	reason := fmt.Sprintf("recipient %s (%s, %s) is not declared for %s, purpose %s, basis %s",
		f.RecipientID, f.RecipientCategory, f.Country, f.SourceSystem, f.Purpose, f.LegalBasis)
	if len(other) > 0 {
		reason += "; declared only in " + strings.Join(sortedIDs(other), ", ")
	}
	return reason
}

// transferReason explains a declared recipient seen in another country or
// under another mechanism.
func transferReason(declared Recipient, f Flow) string {
	if declared.Country != f.Country {
		return fmt.Sprintf("recipient %s is declared in %s, seen in %s", f.RecipientID,
			place(declared.Country, declared.TransferMechanism), place(f.Country, f.TransferMechanism))
	}
	return fmt.Sprintf("recipient %s in %s is declared under %s, seen under %s", f.RecipientID,
		f.Country, mechanism(declared.TransferMechanism), mechanism(f.TransferMechanism))
}

// mechanism names a transfer mechanism for a reason, "no transfer
// mechanism" when empty (inside the EEA).
func mechanism(code string) string {
	if code == "" {
		return "no transfer mechanism"
	}
	return code
}

// place names where a recipient gets the data: the country, and the
// mechanism when there is one.
func place(country, mechanismCode string) string {
	if mechanismCode == "" {
		return country
	}
	return country + " under " + mechanismCode
}

// sortedIDs returns the ids sorted and without repeats.
func sortedIDs(ids []string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// compareFlows orders flows by their key, then by first sighting, so that
// the order does not depend on the order the store returned them in.
func compareFlows(a, b Flow) int {
	return cmp.Or(
		strings.Compare(a.SourceSystem, b.SourceSystem),
		strings.Compare(a.Purpose, b.Purpose),
		strings.Compare(a.LegalBasis, b.LegalBasis),
		strings.Compare(a.RecipientID, b.RecipientID),
		strings.Compare(a.Country, b.Country),
		strings.Compare(a.TransferMechanism, b.TransferMechanism),
		strings.Compare(a.RecipientCategory, b.RecipientCategory),
		a.First.Compare(b.First),
		a.Last.Compare(b.Last),
		cmp.Compare(a.Events, b.Events),
	)
}
