package scenario

import (
	"math/bits"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
)

// The marketing and rights model: what customers said about commercial
// communication, consent and erasure, what CRM's campaigns send them, and
// the facts that record it (FactPlan). Like the identity model it is
// derived from the seed and the customer number, not drawn, so that the
// processes of a per-source deployment agree on it, and it changes no
// event of the catalogue's operations but those it must:
//
//   - Marketing. A campaign message (an e-mail offer of similar services on
//     the §43 basis, an SMS or a personalised e-mail on marketing consent,
//     §44) or a consent-based analysis of usage for tailored offers (§33)
//     takes the place of a single-step operation drawn for the customer,
//     chosen by a value derived from the operation (as its staff member
//     is): the operation's id, time and slot stay, so the other events of
//     the run are the same, ids and times, as without marketing. Messages
//     go out on working days in office hours (07:00-17:00 UTC), the
//     analyses at night (00:00-05:00 UTC); some 2 % of all events. Only a
//     run that plays CRM sends them, and only to customers whom they may
//     reach then: not after an opt-out (which stops the scoring for offers
//     too), on consent only while it is in force.
//   - Rights. About 2 % of customers give a consent during the period and
//     withdraw it later (marketing consent, or consent to the analysis of
//     their usage for offers, never the latter for one who consented to
//     the analysis of viewing, whose exports go on); about 1 % opt out of
//     commercial communication (§46); about 0.1 % ask for erasure (GDPR
//     Art. 17). The facts that record them are planned by FactPlan.
//   - Slips. A few customers get one message or analysis they should not
//     have: about 8 % of those who opt out one e-mail within 48 hours of
//     it (the exception §46 allows "in some cases"), about 3 % one later
//     (a violation), and about 4 % of those who withdraw a consent one
//     use of it afterwards. Each is one event, taking the place of the
//     first single-step operation at or after its planned time (within a
//     bound, or not at all: a slip planned inside the 48 hours never
//     becomes a violation), in every pass. So subjectfact.Flags over a
//     customer's facts and events gives exactly the planned flag, or none
//     (Rights.Planned).
//   - Erasure. After a customer asked for erasure they are gone: an
//     operation drawn for them that could reach the request's time is
//     played for another customer whose profile and identifiers allow it,
//     so no data of theirs flows after the request. (When none of 64
//     candidates can take it, begin draws again: the one case where the
//     model draws from the rng, and shifts the later events.) The
//     recipients their disclosures reached before it are told (FactPlan).
//
// Customers with a standing consent from before the period (30 % to
// marketing, 20 % to the analysis of their usage for offers) have no fact
// of it: the facts begin with the period, as the links begin with CRM's
// current assignments. The shares, times and channels are ours.

// rightsClass is what a customer says during the period; a customer is in
// one class at most.
type rightsClass uint8

const (
	noRights rightsClass = iota
	consentClass
	optOutClass
	erasureClass
)

// The classes' shares of the customers, as bounds of the class draw (24
// bits of the customer's rights hash): 2 % give and withdraw a consent,
// 1 % opt out, 0.1 % ask for erasure.
const (
	consentBelow = 1 << 24 * 2 / 100
	optOutBelow  = consentBelow + 1<<24/100
	erasureBelow = optOutBelow + 1<<24/1000
)

// Marketing operations, indexes of rights.ops.
const (
	opEmail        = iota // §43 e-mail offer of similar services
	opSMS                 // SMS offer on marketing consent
	opPersonalised        // personalised e-mail offer on marketing consent
	opAnalytics           // usage analysed for tailored offers, on consent
	opCount
)

// marketingOps are CRM's commercial messages and the analysis for
// tailored offers, in the order of the op constants. The catalogue's
// conventions apply (see catalogue.go); the categories are ours, and so
// are the data sources: the contact details the customer gave, the
// profiles and scores the operator's systems derive.
func marketingOps() []Scenario {
	campaigns := svc("svc-crm-campaigns")
	return []Scenario{
		// An e-mail offer of services like those the customer buys, to
		// own customers without consent, with an opt-out in every
		// message: §43 states it (basis similar_offer, purpose
		// commercial_communication, §42-§47).
		{Name: "crm.offer_email", Weight: 1, Steps: []Step{{
			Kind: lineage.Access, SourceSystem: "crm", Actor: campaigns,
			Categories: cats("contact", "service"),
			Purpose:    subjectfact.CommercialCommunication, LegalBasis: "similar_offer",
			DataSource: "customer",
			Attributes: map[string]string{"channel": "email", "offer": "similar_services"},
			RecordLag:  5 * time.Second,
		}}},
		// An SMS offer on the customer's marketing consent (§44), which
		// may be of any service, Balticom's or a partner's. That it uses
		// the usage data to choose the offer is ours.
		{Name: "crm.offer_sms", Weight: 1, Steps: []Step{{
			Kind: lineage.Access, SourceSystem: "crm", Actor: campaigns,
			Categories: cats("contact", "service", "service_usage"),
			Purpose:    subjectfact.CommercialCommunication, LegalBasis: "consent",
			DataSource: "customer",
			Attributes: map[string]string{"channel": "sms", "consent_topic": "marketing"},
			RecordLag:  5 * time.Second,
		}}},
		// An individually prepared offer by e-mail: §33 names tailored
		// advertising as a case for consent, §44 the marketing consent.
		{Name: "crm.offer_personalised", Weight: 1, Steps: []Step{{
			Kind: lineage.Access, SourceSystem: "crm", Actor: campaigns,
			Categories: cats("contact", "service_usage", "customer_analytics"),
			Purpose:    subjectfact.CommercialCommunication, LegalBasis: "consent",
			DataSource: "operator_systems",
			Attributes: map[string]string{"channel": "email", "consent_topic": "marketing", "offer": "personalised"},
			RecordLag:  5 * time.Second,
		}}},
		// The nightly scoring of usage habits for tailored offers: §33
		// states the pairing (analysis of usage habits on consent); §5.3
		// (planning and analytics) is ours.
		{Name: "crm.offer_analytics", Weight: 1, Steps: []Step{{
			Kind: lineage.Access, SourceSystem: "crm", Actor: svc("svc-crm-offer-scoring"),
			Categories: cats("service_usage", "customer", "customer_analytics"),
			Purpose:    "planning_analytics", LegalBasis: "consent",
			DataSource: "operator_systems",
			Attributes: map[string]string{"consent_topic": "offer_analytics"},
			RecordLag:  time.Minute,
		}}},
	}
}

// The chances, per single-step operation inside a window, that it is a
// marketing operation instead (before the customer's consent and opt-out
// are checked): messages in office hours, analyses at night, tuned so
// that messages are some 1.8 % of all events and the analyses some 0.25 %.
const (
	chanceEmail        = 0.055
	chanceSMS          = 0.030
	chancePersonalised = 0.015
	chanceAnalytics    = 0.065
)

// Salt of the operation's marketing draw, independent of its staff member,
// restriction and ages (generator.go).
const mktSalt = 0x510e527fade682d1

// slip is one planned message or analysis that should not have been: it
// takes the first single-step operation at or after atUs, and none after
// byUs.
type slip struct {
	atUs, byUs int64
	n          uint64
	op         int
}

// rights is the model of one generator.
type rights struct {
	seed     uint64
	profSeed uint64
	subjects uint64
	startUs  int64
	endUs    int64
	// steering is whether the model applies: the catalogue is played
	// (Config.Scenarios nil). marketing is whether the run plays CRM's
	// campaigns and slips.
	steering, marketing bool
	ops                 [opCount][]step
	slips               []slip // by atUs
	// next is the first slip not yet placed or dropped in pass nextPass.
	next     int
	nextPass uint64
	// seen are the disclosures of each customer who asks for erasure,
	// in pass 0, before the request: what FactPlan tells.
	seen map[uint64][]seenRecipient
}

// seenRecipient is a recipient that received a customer's data, and the
// source system of the first disclosure to it.
type seenRecipient struct {
	id, source string
}

// customer is one customer's place in the model.
type customer struct {
	class rightsClass
	// Standing consents from before the period, to marketing and to the
	// analysis of usage for offers.
	marketing, analytics bool
	// consentClass: the consent's purpose, given at givenUs, withdrawn at
	// withdrawnUs.
	purpose              string
	givenUs, withdrawnUs int64
	optOutUs, erasureUs  int64
	// h2 is the hash the class's times and channels come from.
	h2 uint64
	// The slip planned, if any (op -1: none).
	slip slip
}

func newRights(seed, profSeed, subjects uint64, startUs, endUs int64) *rights {
	return &rights{
		seed: mix(seed ^ 0x3c6ef372fe94f82b), profSeed: profSeed, subjects: subjects,
		startUs: startUs, endUs: endUs, seen: map[uint64][]seenRecipient{},
	}
}

// hash is customer n's rights hash.
func (m *rights) hash(n uint64) uint64 { return mix(m.seed + n*0x9e3779b97f4a7c15) }

// classOf is customer n's class: the cheap part of customer.
func (m *rights) classOf(n uint64) rightsClass {
	switch u := m.hash(n) >> 40; {
	case u < consentBelow:
		return consentClass
	case u < optOutBelow:
		return optOutClass
	case u < erasureBelow:
		return erasureClass
	}
	return noRights
}

// at returns the time fraction f of the period.
func (m *rights) at(f float64) int64 { return m.startUs + int64(f*float64(m.endUs-m.startUs)) }

const (
	hourUs = int64(time.Hour / time.Microsecond)
	dayUs  = 24 * hourUs
)

// customer returns customer n's place in the model.
func (m *rights) customer(n uint64) customer {
	h := m.hash(n)
	c := customer{class: m.classOf(n), marketing: h&0xff < 77, analytics: h>>8&0xff < 51, slip: slip{op: -1, n: n}}
	if c.class == noRights {
		return c
	}
	h2 := mix(h ^ 0x1f83d9abfb41bd6b)
	c.h2 = h2
	pick := h2 >> 56 // the slip's draw
	switch c.class {
	case consentClass:
		// Consent to marketing (60 %) or to the analysis of usage for
		// offers; not the latter for a customer who consented to the
		// analysis of viewing (§33, TVAnalyticsConsent), whose viewing
		// exports are on the same purpose's consent and go on.
		c.purpose = subjectfact.CommercialCommunication
		if h2&0xff >= 154 && profileOf(mix(m.profSeed+n*0x9e3779b97f4a7c15))&TVAnalyticsConsent == 0 {
			c.purpose = "planning_analytics"
		}
		c.givenUs = m.at(0.05 + 0.50*fraction(h2, 8))
		c.withdrawnUs = c.givenUs + int64((0.10+0.30*fraction(h2, 32))*float64(m.endUs-m.startUs))
		if c.purpose == subjectfact.CommercialCommunication {
			c.marketing = false // given during the period
		} else {
			c.analytics = false
		}
		if pick < 10 { // 4 %: a use of the consent after its withdrawal
			at := c.withdrawnUs + dayUs + int64(fraction(mix(h2^0x9b05688c2b3e6c1f), 0)*float64(29*dayUs))
			op := opSMS
			if c.purpose == "planning_analytics" {
				op = opAnalytics
			}
			c.slip = slip{atUs: at, byUs: at + 14*dayUs, n: n, op: op}
		}
	case optOutClass:
		c.optOutUs = m.at(0.05 + 0.85*fraction(h2, 8))
		switch {
		case pick < 20: // 8 %: an e-mail within 48 hours (§46's exception)
			at := c.optOutUs + hourUs + int64(fraction(h2, 32)*float64(39*hourUs))
			c.slip = slip{atUs: at, byUs: c.optOutUs + 47*hourUs, n: n, op: opEmail}
		case pick < 28: // 3 %: an e-mail days later (a violation)
			at := c.optOutUs + 3*dayUs + int64(fraction(h2, 32)*float64(27*dayUs))
			c.slip = slip{atUs: at, byUs: at + 14*dayUs, n: n, op: opEmail}
		}
	case erasureClass:
		c.erasureUs = m.at(0.40 + 0.52*fraction(h2, 8))
	}
	if c.slip.op >= 0 {
		// Only what fits in the period happens.
		c.slip.byUs = min(c.slip.byUs, m.endUs-1)
		if c.slip.atUs > c.slip.byUs {
			c.slip.op = -1
		}
	}
	return c
}

// consentAt reports whether the customer's consent for purpose is in
// force at atUs.
func (c *customer) consentAt(purpose string, atUs int64) bool {
	if c.class == consentClass && c.purpose == purpose {
		return c.givenUs <= atUs && atUs < c.withdrawnUs
	}
	if purpose == subjectfact.CommercialCommunication {
		return c.marketing
	}
	return c.analytics
}

// mayReach reports whether marketing operation op may happen to the
// customer at atUs: not after an opt-out (which stops the scoring for
// offers too, as profiling for direct marketing, GDPR Art. 21(3)) or an
// erasure request, and on consent only while the consent is in force.
func (c *customer) mayReach(op int, atUs int64) bool {
	switch {
	case c.class == optOutClass && atUs >= c.optOutUs,
		c.class == erasureClass && atUs >= c.erasureUs:
		return false
	}
	switch op {
	case opSMS, opPersonalised:
		return c.consentAt(subjectfact.CommercialCommunication, atUs)
	case opAnalytics:
		return c.consentAt("planning_analytics", atUs)
	}
	return true
}

// compileOps compiles the marketing operations and plans the slips of the
// population: the run plays CRM.
func (m *rights) compileOps() error {
	for i, s := range marketingOps() {
		c, err := compile(&s)
		if err != nil {
			return err
		}
		m.ops[i] = c
	}
	m.marketing = true
	for n := uint64(1); n <= m.subjects; n++ {
		if m.classOf(n) == noRights {
			continue
		}
		if c := m.customer(n); c.slip.op >= 0 {
			m.slips = append(m.slips, c.slip)
		}
	}
	slices.SortFunc(m.slips, func(a, b slip) int {
		if a.atUs != b.atUs {
			return compareInt64(a.atUs, b.atUs)
		}
		return compareInt64(int64(a.n), int64(b.n))
	})
	return nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// steer fits the operation begin drew for customer g.n, chain g.chain at
// slot g.slot, to the model: a slip due takes a single-step operation; an
// operation of a customer gone by erasure goes to another customer; a
// campaign may take a single-step operation. It reports false when no
// customer could take the operation: begin draws again. Nothing here
// draws from the rng.
func (m *rights) steer(g *Generator) bool {
	single := len(g.chain) == 1
	atUs := g.at(g.slot) // drawn now or by Next right after: the same draw
	if m.marketing && single {
		if m.nextPass != g.pass {
			m.next, m.nextPass = 0, g.pass
		}
		for m.next < len(m.slips) && m.slips[m.next].byUs < atUs {
			m.next++ // no single-step operation in time: not played
		}
		if m.next < len(m.slips) && m.slips[m.next].atUs <= atUs {
			s := m.slips[m.next]
			m.next++
			g.become(s.n)
			g.chain, g.cls = m.ops[s.op], m.classOf(s.n)
			return true
		}
	}
	g.cls = m.classOf(g.n)
	var c customer
	if g.cls != noRights {
		c = m.customer(g.n)
		if g.cls == erasureClass && g.lastAt(len(g.chain)) >= c.erasureUs {
			if !m.substitute(g) {
				g.chain = nil
				return false
			}
			if g.cls != noRights {
				c = m.customer(g.n)
			}
		}
	}
	// Most operations stay what they are: the draw first, the clock only
	// for the few it may take.
	draw := float64(mix(g.crew^mktSalt)>>11) / (1 << 53)
	if !m.marketing || !single || draw >= max(chanceEmail+chanceSMS+chancePersonalised, chanceAnalytics) {
		return true
	}
	var op int
	switch day, hour := atUs/dayUs, atUs%dayUs/hourUs; {
	case hour < 5:
		if draw >= chanceAnalytics {
			return true
		}
		op = opAnalytics
	case hour >= 7 && hour < 17 && (day+4)%7 >= 1 && (day+4)%7 <= 5: // Monday to Friday
		op = opEmail
	default:
		return true
	}
	if op == opEmail {
		switch {
		case draw < chanceSMS:
			op = opSMS
		case draw < chanceSMS+chancePersonalised:
			op = opPersonalised
		}
	}
	if g.cls == noRights {
		c = m.customer(g.n) // the standing consents
	}
	if c.mayReach(op, atUs) {
		g.chain = m.ops[op]
	}
	return true
}

// substitute gives the operation begin drew for a customer gone by
// erasure to another customer whose profile has the scenario, who holds
// its identifiers and is not gone: the first of up to 64 derived from the
// operation. It reports false when none is.
func (m *rights) substitute(g *Generator) bool {
	chain := g.chain
	for k := range uint64(64) {
		n := 1 + mix(g.crew+k*0x9e3779b97f4a7c15)%m.subjects
		p := profileOf(mix(g.profSeed + n*0x9e3779b97f4a7c15))
		if !slices.ContainsFunc(g.tables[p].chain, func(c []step) bool { return &c[0] == &chain[0] }) ||
			!g.holdsFor(n, p, chain) {
			continue
		}
		cls := m.classOf(n)
		if cls == erasureClass && g.lastAt(len(chain)) >= m.customer(n).erasureUs {
			continue
		}
		g.become(n)
		g.cls = cls
		return true
	}
	return false
}

// observe notes a disclosure of customer n's data, of pass 0.
func (m *rights) observe(n uint64, e *lineage.Event) {
	seen := m.seen[n]
	if !slices.ContainsFunc(seen, func(r seenRecipient) bool { return r.id == e.Recipient.ID }) {
		m.seen[n] = append(seen, seenRecipient{id: e.Recipient.ID, source: e.SourceSystem})
	}
}

// become makes customer n the current operation's customer, with their
// profile, recipients and crew.
func (g *Generator) become(n uint64) {
	h := mix(g.profSeed + n*0x9e3779b97f4a7c15)
	g.n, g.profile = n, profileOf(h)
	g.subject = formatSubject(n)
	g.pick = mix(h)
	g.crew = mix(mix(g.pick^g.slot) ^ g.pass)
}

// lastAt bounds the occurred_at of the last of the next steps operations'
// events from the current slot: slot s's time is below
// start + (s+1)·span/perPass. It draws nothing.
func (g *Generator) lastAt(steps int) int64 {
	hi, lo := bits.Mul64(g.slot+uint64(steps), g.spanUs)
	off, _ := bits.Div64(hi, lo, g.perPass)
	return g.startUs + int64(off)
}

// Rights is what a customer says about their data during the period, as
// the model has it (FactPlan states it): for tests and demos.
type Rights struct {
	SubjectID string
	// MarketingConsent and AnalyticsConsent are consents the customer
	// held from before the period on (no fact states them): to marketing,
	// and to the analysis of their usage for offers.
	MarketingConsent, AnalyticsConsent bool
	// ConsentPurpose is the purpose of a consent given at ConsentGiven
	// and withdrawn at ConsentWithdrawn; empty if none.
	ConsentPurpose                 string
	ConsentGiven, ConsentWithdrawn time.Time
	// OptedOut is when the customer objected to commercial
	// communication; zero if never.
	OptedOut time.Time
	// ErasureRequested is when the customer asked for erasure; zero if
	// never.
	ErasureRequested time.Time
	// Planned is the flag subjectfact.Flags should give the customer
	// once (a slip), empty if none; PlannedAt the earliest time of the
	// event flagged. A run that does not play CRM, or too sparse to have
	// a single-step operation in the slip's window, plays none.
	Planned   subjectfact.FlagKind
	PlannedAt time.Time
}

// Rights returns customer n's rights (1 … Subjects). A generator of a
// scenario list of its own (Config.Scenarios) has no rights model: it
// returns the subject id alone.
func (g *Generator) Rights(n int) Rights {
	if n < 1 || uint64(n) > g.subjects {
		return Rights{}
	}
	m := g.rights
	r := Rights{SubjectID: formatSubject(uint64(n))}
	if !m.steering {
		return r
	}
	c := m.customer(uint64(n))
	r.MarketingConsent, r.AnalyticsConsent = c.marketing, c.analytics
	ts := func(us int64) time.Time { return time.UnixMicro(us).UTC() }
	switch c.class {
	case consentClass:
		r.ConsentPurpose, r.ConsentGiven, r.ConsentWithdrawn = c.purpose, ts(c.givenUs), ts(c.withdrawnUs)
		r.Planned = subjectfact.ConsentAfterWithdrawal
	case optOutClass:
		r.OptedOut = ts(c.optOutUs)
		r.Planned = subjectfact.OptOutViolation
		if c.slip.atUs-c.optOutUs <= int64(subjectfact.OptOutGrace/time.Microsecond) {
			r.Planned = subjectfact.OptOutException
		}
	case erasureClass:
		r.ErasureRequested = ts(c.erasureUs)
	}
	if c.slip.op < 0 || !m.marketing {
		r.Planned = ""
	} else {
		r.PlannedAt = ts(c.slip.atUs)
	}
	return r
}
