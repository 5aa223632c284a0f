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
// Not every source system knows the customer id. CDR mediation knows a
// phone number, the TV platform a set-top box or a contract, the network an
// address or a terminal (Step.Identify says which, per step); such events
// carry the keyed identifier instead of the customer id, and CRM states who
// held which identifier when (identity links, LinkPlan). Every customer has
// deterministic identifiers, and phone numbers and IP addresses pass from
// one customer to another during the period (see identities.go).
//
// The package knows nothing of Kafka: the command feeds the events and the
// links to the producer SDK.
package scenario

import (
	"fmt"
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
//
// A scenario belongs to one source system, that of its first step (see
// Source): the per-source mode (Config.Sources) plays or skips it whole, so
// that an operation is never cut in half. Every scenario of the catalogue
// has all its steps in one system.
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
	// DataSource is where the data the step concerns came from, a code of
	// taxonomy.DataSources (policy §16), sent as the attribute
	// lineage.AttrDataSource. Empty for a system that does not say: the
	// event then has no such attribute.
	DataSource string
	// RecordLag bounds how long after occurred_at the source system records
	// the event: recorded_at is uniform in [occurred_at, +RecordLag).
	RecordLag time.Duration
	// Identify is what the source system knows the customer by in this
	// step: the zero value ByCustomerID, or an identifier, in which case
	// the event carries the keyed identifier the customer held at
	// occurred_at instead of the customer id. The scenario must require
	// the trait that gives a customer that identifier (Identity.Requires).
	Identify Identity
	// Staff is the team of the operator's employees who act in the step's
	// role (an employee_role actor): each event names one of them by staff
	// number (schema v3 actor.employee), the same one for every step of an
	// operation, so that the DPO can tell who consulted the data. The zero
	// Team names nobody: a processor's people, whom the operator does not
	// number, or an actor that is not a person.
	Staff Team
	// Restriction, when set, keeps some of the step's disclosures from the
	// subject for a time (schema v3 restriction).
	Restriction *Restriction
	// RetentionFrom, when set, dates the data each event of the step
	// concerns (lineage.AttrRetentionFrom, the day the policy's retention
	// period is counted from): the UTC day an age before occurred_at,
	// drawn from the bands once per operation, so that every step of it
	// names the same age.
	RetentionFrom []AgeBand
	// RequestRef gives the events of each operation the number of the
	// authority's request they answer (lineage.AttrRequestRef), the same
	// for every step of it.
	RequestRef bool
}

// AgeBand is a share of a step's events (0 < Share ≤ 1; a step's bands
// add up to 1) whose data are from Min to Max old (0 ≤ Min ≤ Max).
type AgeBand struct {
	Share    float64
	Min, Max time.Duration
}

// Team is a team of the operator's employees: Size people, with staff
// numbers "E" and four digits, from First to First+Size-1.
type Team struct {
	First, Size int
}

// Restriction is how a step's disclosures are kept from the subject: Share
// of them (0 < Share ≤ 1; the same for every step of an operation), under
// Basis, until a review at the start of the UTC day after a time drawn in
// [MinFor, MaxFor] after the disclosure.
type Restriction struct {
	Basis          string
	Share          float64
	MinFor, MaxFor time.Duration
}

// Source is the source system the scenario belongs to: that of its first
// step. A scenario whose steps spanned systems (none does) would be played
// by its first step's system, as the operation starts there.
func (s *Scenario) Source() string {
	if len(s.Steps) == 0 {
		return ""
	}
	return s.Steps[0].SourceSystem
}

// Identity is what a source system knows a customer by. It is finer than
// lineage.IdentifierKind: a set-top box and the terminal at the connection
// point are both devices, but different ones, held over different times.
type Identity uint8

// The identities. Every customer has a contract and a terminal; the other
// identifiers come with a service (Identity.Requires).
const (
	// ByCustomerID: the source knows the customer id (CRM, billing,
	// processors).
	ByCustomerID Identity = iota
	// ByPhoneNumber: the voice line's number, lineage.MSISDN. Voice
	// customers only.
	ByPhoneNumber
	// ByIPAddress: the address assigned to the internet connection,
	// lineage.IPAddress. Internet customers only.
	ByIPAddress
	// ByContract: the service contract's number, lineage.ContractNumber.
	ByContract
	// BySetTopBox: the serial number of the TV set-top box, lineage.Device.
	// TV customers only.
	BySetTopBox
	// ByTerminalMAC: the MAC address of the terminal at the connection
	// point (optical terminal, cable modem or smart meter), lineage.Device.
	ByTerminalMAC

	identityCount = iota
)

var identityInfo = [identityCount]struct {
	name     string
	kind     lineage.IdentifierKind
	requires Profile
}{
	ByCustomerID:  {"customer_id", "", 0},
	ByPhoneNumber: {"phone_number", lineage.MSISDN, Voice},
	ByIPAddress:   {"ip_address", lineage.IPAddress, Internet},
	ByContract:    {"contract", lineage.ContractNumber, 0},
	BySetTopBox:   {"set_top_box", lineage.Device, TV},
	ByTerminalMAC: {"terminal_mac", lineage.Device, 0},
}

// Kind is the lineage identifier kind of i; empty for ByCustomerID.
func (i Identity) Kind() lineage.IdentifierKind {
	if i >= identityCount {
		return ""
	}
	return identityInfo[i].kind
}

// Requires is the trait a customer must have to hold identifier i.
func (i Identity) Requires() Profile {
	if i >= identityCount {
		return 0
	}
	return identityInfo[i].requires
}

// String returns the identity's name ("phone_number").
func (i Identity) String() string {
	if i >= identityCount {
		return fmt.Sprintf("identity(%d)", uint8(i))
	}
	return identityInfo[i].name
}

// allows reports whether a customer with profile p may be in s.
func (s *Scenario) allows(p Profile) bool {
	return p&s.Requires == s.Requires && p&s.Excludes == 0
}
