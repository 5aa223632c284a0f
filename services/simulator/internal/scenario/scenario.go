// Package scenario is the simulator's model of AS Balticom's processing: a
// catalogue of realistic operations of the source systems (Catalogue), each
// of which becomes one or more lineage events, and a deterministic Generator
// that plays them for a population of simulated customers over a simulated
// period.
//
// Every code an event carries (data category, purpose, legal basis,
// legitimate interest, recipient category) comes from pkg/taxonomy and so
// from the operator's privacy policy. The policy never maps a category to a
// purpose or a basis (see the policy digest): which categories an operation
// touches and on which basis it rests is ours, and each scenario says where
// the policy states the pairing and where we infer it. The recipients are
// simulated: public bodies, banks and the post carry their real names, the
// private contractors are invented.
//
// The package knows nothing of Kafka: the command feeds the events to the
// producer SDK.
package scenario

import (
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Profile is a set of traits of a simulated customer: the services they buy
// and how they behave. A customer's profile is fixed for a generator (it is
// derived from the seed and the customer number), so a customer without TV
// never has viewing data and a debtor is passed to the same collector each
// time.
type Profile uint8

// The traits of a Profile.
const (
	// Internet: an internet-access customer.
	Internet Profile = 1 << iota
	// TV: a TV customer (cat. 32 data exist).
	TV
	// Voice: a fixed-voice customer (CDRs exist).
	Voice
	// Electricity: an electricity customer (meter, distribution operator).
	Electricity
	// TVAnalyticsConsent: gave consent to the analysis of viewing habits
	// (§33). Only meaningful together with TV.
	TVAnalyticsConsent
	// Debtor: falls behind with payments during the period.
	Debtor
	// EInvoice: receives invoices through an internet bank rather than on
	// paper.
	EInvoice

	// profileCount is the number of distinct profiles.
	profileCount = 1 << 7
)

// Scenario is one operation of a source system. It becomes the events of its
// Steps, in order, all about one customer and close together in time.
type Scenario struct {
	// Name is a stable code ("crm.card_open"). Every event carries it in
	// the attribute "sim.scenario".
	Name string
	// Weight is the relative frequency of the scenario among those the
	// customer's profile allows.
	Weight int
	// Requires lists the traits a customer must have, Excludes those they
	// must not have, for the scenario to happen to them.
	Requires, Excludes Profile
	// Steps are the events, in occurred_at order. Each must be valid.
	Steps []Step
}

// Step is the template of one event. Events share the step's slices, map and
// pointers: they are read-only.
type Step struct {
	Kind         lineage.Kind
	SourceSystem string
	Actor        lineage.Actor
	Categories   []string
	Purpose      string
	LegalBasis   string
	// Interest is the §7 code ("7.27") when LegalBasis is
	// legitimate_interest, empty otherwise.
	Interest string
	// Recipients are the possible recipients of a transfer or hand-off; each
	// customer always gets the same one of them. Empty for an access.
	Recipients []lineage.Recipient
	// Attributes are added to every event of the step (not personal data).
	Attributes map[string]string
	// RecordLag bounds how long after occurred_at the source system records
	// the event: recorded_at is uniform in [occurred_at, +RecordLag).
	RecordLag time.Duration
}

// allows reports whether a customer with profile p may be in s.
func (s *Scenario) allows(p Profile) bool {
	return p&s.Requires == s.Requires && p&s.Excludes == 0
}
