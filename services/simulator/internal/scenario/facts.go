package scenario

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/subjectfact"
)

// FactPlan is the subject facts of the rights model (marketing.go), in the
// order they are due, a fact being due when it was recorded (recorded_at):
//
//   - CRM (when played) records the consents given and withdrawn, the
//     opt-outs and the erasure requests, with the channel the customer
//     used (§34, §44, §46);
//   - each source system played tells the recipients its own disclosures
//     reached of a customer who asked for erasure: most of them (85 %)
//     some hours to six days after the request, and records the notice;
//     most of those told (75 %) confirm 1 to 30 days later. The rest are
//     never told or never confirm, and what falls after the period does
//     not happen in it. These facts depend on the events: they are planned
//     when the generator has passed the request, and name only recipients
//     the customer's events went to;
//   - CDR mediation (when played) records about four requests for retained
//     data a year from the State Police that could not be met.
//
// Every fact is inside the period and never due before it was recorded, so
// that a sender that publishes what is due by each event's occurred_at
// never sends a fact ahead of the simulated clock. Ids are derived from
// the seed, the period and what the fact says: a re-run states the same
// facts with the same ids. A FactPlan is not safe for concurrent use; use
// it alongside its generator, on the generator's goroutine.
type FactPlan struct {
	g    *Generator
	m    *rights
	seed uint64

	// Facts known from the start, by due time.
	fixed []subjectfact.Fact
	next  int
	// Erasure requests whose notices are not planned yet, by time.
	requests []request
	nextReq  int
	// Notices and confirmations planned, by due time.
	notices []subjectfact.Fact

	planned int64
}

// request is a customer's erasure request.
type request struct {
	n    uint64
	atUs int64
	h2   uint64
}

// The channels by which the customers speak, with weights: marketing
// consent (§44), consent to usage analysis (§34), withdrawals (§35: the
// same ways), opt-outs (§46.1-§46.7).
var (
	marketingConsentChannels = weighted{{"self_service_portal", 40}, {"banner", 20}, {"call_centre", 20}, {"shop", 10}, {"application_form", 10}}
	consentChannels          = weighted{{"self_service_portal", 45}, {"app", 25}, {"banner", 10}, {"application_form", 10}, {"phone", 5}, {"in_person", 5}}
	withdrawalChannels       = weighted{{"self_service_portal", 45}, {"phone", 25}, {"email", 20}, {"app", 10}}
	optOutChannels           = weighted{{"email", 35}, {"self_service_portal", 30}, {"phone", 15}, {"app", 10}, {"in_person", 5}, {"banner", 3}, {"application_form", 2}}
)

type weighted []struct {
	channel subjectfact.Channel
	weight  int
}

// pick chooses a channel with a fraction f of [0, 1).
func (w weighted) pick(f float64) subjectfact.Channel {
	total := 0
	for _, c := range w {
		total += c.weight
	}
	x := int(f * float64(total))
	for _, c := range w {
		if x < c.weight {
			return c.channel
		}
		x -= c.weight
	}
	return w[len(w)-1].channel
}

// recordLag is how long after the customer spoke CRM records it: at once
// online, minutes on the phone, hours by e-mail, up to a day and a half
// on paper; f in [0, 1) chooses within.
func recordLag(ch subjectfact.Channel, f float64) int64 {
	lo, hi := int64(time.Second), int64(10*time.Second)
	switch ch {
	case "phone", "call_centre":
		lo, hi = int64(time.Minute), int64(10*time.Minute)
	case "email":
		lo, hi = int64(10*time.Minute), int64(6*time.Hour)
	case "application_form", "shop", "in_person":
		lo, hi = int64(time.Hour), int64(30*time.Hour)
	}
	return (lo + int64(f*float64(hi-lo))) / int64(time.Microsecond)
}

// Who records the facts.
const (
	consentActor  = "svc-crm-consents"
	requestActor  = "svc-crm-privacy-requests"
	unmetActor    = "svc-cdr-lawful-requests"
	unmetSource   = "cdr_mediation"
	unmetPerYear  = 4
	unmetOlder    = "the data asked for were older than the retention period (18 months) and had been deleted"
	unmetNoHolder = "the number named had no subscriber at the time asked for"
	// StatePolice is the State Police (Valsts policija), a recipient of
	// the CDR lawful requests, whose unmet requests are recorded.
	StatePolice = "rcp-le-valsts-policija"
)

// Shares of the recipients told of an erasure, and of those told that
// confirm.
const (
	noticeShare  = 0.85
	confirmShare = 0.75
)

// Facts returns the fact plan of the generator's run: the facts of the
// source systems it plays. A generator of a scenario list of its own
// (Config.Scenarios) has no rights model and an empty plan. Making it
// visits every customer once. Make one plan per generator: the plan takes
// over what the generator observed of the disclosures to be told of an
// erasure.
func (g *Generator) Facts() *FactPlan {
	m := g.rights
	p := &FactPlan{g: g, m: m, seed: mix(mix(g.rights.seed^0xa54ff53a5f1d36f1) ^ mix(uint64(m.startUs)) ^ uint64(m.endUs))}
	if !m.steering {
		return p
	}
	crm := g.plays(LinkSource)
	for n := uint64(1); n <= m.subjects; n++ {
		if m.classOf(n) == noRights {
			continue
		}
		c := m.customer(n)
		h3 := mix(c.h2 ^ 0x5be0cd19137e2179)
		switch c.class {
		case consentClass:
			if !crm {
				continue
			}
			channels := consentChannels
			if c.purpose == subjectfact.CommercialCommunication {
				channels = marketingConsentChannels
			}
			// Withdrawn the way it was given (§35) or another way.
			given, withdrawn := channels.pick(fraction(h3, 0)), withdrawalChannels.pick(fraction(h3, 40))
			if fraction(h3, 24) < 0.6 {
				withdrawn = given
			}
			p.fixed = append(p.fixed,
				p.fact(subjectfact.Fact{Type: subjectfact.ConsentGiven, SubjectID: formatSubject(n), Purpose: c.purpose, Channel: given},
					n, 0, c.givenUs, recordLag(given, fraction(h3, 12)), LinkSource, consentActor),
				p.fact(subjectfact.Fact{Type: subjectfact.ConsentWithdrawn, SubjectID: formatSubject(n), Purpose: c.purpose, Channel: withdrawn},
					n, 0, c.withdrawnUs, recordLag(withdrawn, fraction(h3, 36)), LinkSource, consentActor))
		case optOutClass:
			if !crm {
				continue
			}
			ch := optOutChannels.pick(fraction(h3, 0))
			p.fixed = append(p.fixed, p.fact(subjectfact.Fact{Type: subjectfact.OptedOut, SubjectID: formatSubject(n), Channel: ch},
				n, 0, c.optOutUs, recordLag(ch, fraction(h3, 24)), LinkSource, consentActor))
		case erasureClass:
			p.requests = append(p.requests, request{n: n, atUs: c.erasureUs, h2: c.h2})
			if !crm {
				continue
			}
			year := time.UnixMicro(c.erasureUs).UTC().Year()
			p.fixed = append(p.fixed, p.fact(subjectfact.Fact{Type: subjectfact.ErasureRequested, SubjectID: formatSubject(n),
				Reference: fmt.Sprintf("ER-%d-%04d", year, 1+h3%9999)},
				n, 0, c.erasureUs, int64(5*time.Minute/time.Microsecond)+int64(fraction(h3, 24)*float64(hourUs)), LinkSource, requestActor))
		}
	}
	if g.plays(unmetSource) {
		p.unmet()
	}
	slices.SortFunc(p.fixed, byDue)
	slices.SortFunc(p.requests, func(a, b request) int { return cmp.Or(cmp.Compare(a.atUs, b.atUs), cmp.Compare(a.n, b.n)) })
	p.planned = int64(len(p.fixed))
	return p
}

// unmet plans the State Police's requests that could not be met: about
// four a year, spread over the period, mostly for data older than the 18
// months the law has them kept.
func (p *FactPlan) unmet() {
	m := p.m
	count := int(math.Round(unmetPerYear * float64(m.endUs-m.startUs) / float64(365*dayUs)))
	for i := range uint64(count) {
		h := mix(p.seed ^ (i+1)*0x9e3779b97f4a7c15)
		reason := unmetOlder
		if h&0xff >= 192 {
			reason = unmetNoHolder
		}
		p.fixed = append(p.fixed, p.fact(subjectfact.Fact{Type: subjectfact.LawfulRequestUnmet, RecipientID: StatePolice,
			Reference: fmt.Sprintf("LR-%010d", mix(h)%10_000_000_000), Reason: reason},
			0, i, m.at(fraction(h, 8)), hourUs+int64(fraction(h, 32)*float64(6*hourUs)), unmetSource, unmetActor))
	}
}

// fact completes f: its id, its times (recorded lagUs after atUs, within
// the period) and who recorded it. The facts of one type about customer n
// are told apart by extra.
func (p *FactPlan) fact(f subjectfact.Fact, n, extra uint64, atUs, lagUs int64, source, actor string) subjectfact.Fact {
	f.ID = p.id(f.Type, n, extra)
	recorded := max(min(atUs+lagUs, p.m.endUs-1), atUs)
	f.At, f.RecordedAt = time.UnixMicro(atUs).UTC(), time.UnixMicro(recorded).UTC()
	f.SourceSystem, f.Actor = source, actor
	return f
}

// id derives a fact's id from the seed, the period and what it says.
func (p *FactPlan) id(typ subjectfact.Type, n, extra uint64) string {
	k := mix(p.seed + n*0x9e3779b97f4a7c15)
	k = mix(k ^ uint64(slices.Index(subjectfact.Types, typ)+1)*0xbf58476d1ce4e5b9 ^ mix(extra))
	return formatUUID(k, mix(k^0xbb67ae8584caa73b))
}

func byDue(a, b subjectfact.Fact) int {
	return cmp.Or(a.RecordedAt.Compare(b.RecordedAt), cmp.Compare(a.ID, b.ID))
}

// Planned is the number of facts known from the start; the erasure
// notices and confirmations come on top, as the events show who must be
// told.
func (p *FactPlan) Planned() int64 { return p.planned }

// Done reports whether every fact has been returned.
func (p *FactPlan) Done() bool {
	return p.next == len(p.fixed) && p.nextReq == len(p.requests) && len(p.notices) == 0
}

// settle plans the notices of the erasure requests the generator has
// passed (all of them when all is set): every event before such a
// request has been made, so its recipients are known.
func (p *FactPlan) settle(all bool) {
	g := p.g
	all = all || g.pass > 0
	added := false
	for ; p.nextReq < len(p.requests); p.nextReq++ {
		r := p.requests[p.nextReq]
		if !all && r.atUs > g.clockUs {
			break
		}
		for _, seen := range p.m.seen[r.n] {
			added = p.notify(r, seen) || added
		}
		delete(p.m.seen, r.n)
	}
	if added {
		slices.SortFunc(p.notices, byDue)
	}
}

// notify plans the notice of request r to a recipient and its
// confirmation, if they happen in the period, and reports whether any
// does.
func (p *FactPlan) notify(r request, seen seenRecipient) bool {
	h := mix(r.h2 ^ fnv(seen.id))
	if fraction(h, 0) >= noticeShare {
		return false // never told
	}
	told := r.atUs + 4*hourUs + int64(fraction(h, 24)*float64(6*dayUs))
	if told >= p.m.endUs {
		return false
	}
	actor := "svc-" + strings.ReplaceAll(seen.source, "_", "-") + "-erasure"
	subject := formatSubject(r.n)
	lag := int64(time.Minute/time.Microsecond) + int64(fraction(h, 48)*float64(hourUs))
	p.notices = append(p.notices, p.fact(subjectfact.Fact{Type: subjectfact.ErasureNotified, SubjectID: subject, RecipientID: seen.id},
		r.n, fnv(seen.id), told, lag, seen.source, actor))
	if h2 := mix(h); fraction(h2, 0) < confirmShare {
		if confirmed := told + dayUs + int64(fraction(h2, 24)*float64(29*dayUs)); confirmed < p.m.endUs {
			p.notices = append(p.notices, p.fact(subjectfact.Fact{Type: subjectfact.ErasureConfirmed, SubjectID: subject, RecipientID: seen.id},
				r.n, fnv(seen.id), confirmed, lag, seen.source, actor))
		}
	}
	return true
}

// fnv is the FNV-1a hash of s.
func fnv(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := range len(s) {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return h
}

// NextDue returns when the next fact is due; ok is false when none is
// left for now. Erasure notices become known as the generator passes
// their requests, so a plan with none left now may have more later
// (Done tells).
func (p *FactPlan) NextDue() (due time.Time, ok bool) {
	p.settle(false)
	switch {
	case p.next < len(p.fixed) && (len(p.notices) == 0 || !p.notices[0].RecordedAt.Before(p.fixed[p.next].RecordedAt)):
		return p.fixed[p.next].RecordedAt, true
	case len(p.notices) > 0:
		return p.notices[0].RecordedAt, true
	}
	return time.Time{}, false
}

// Due returns the next facts due at or before until, at most limit of
// them (limit ≥ 1), in order; none when nothing is due yet. Called with
// the occurred_at of each event before it is sent, it never returns a
// fact recorded after the events sent so far.
func (p *FactPlan) Due(until time.Time, limit int) []subjectfact.Fact {
	p.settle(false)
	return p.due(until.UnixMicro(), limit)
}

// Rest returns the next facts whatever their due time, at most limit of
// them: what is left at the end of a run. It plans the notices of every
// request, so call it once the generator's first pass is over (or the
// run ends).
func (p *FactPlan) Rest(limit int) []subjectfact.Fact {
	p.settle(true)
	return p.due(math.MaxInt64, limit)
}

func (p *FactPlan) due(untilUs int64, limit int) []subjectfact.Fact {
	var out []subjectfact.Fact
	for len(out) < limit {
		var f subjectfact.Fact
		switch {
		case p.next < len(p.fixed) && (len(p.notices) == 0 || byDue(p.fixed[p.next], p.notices[0]) <= 0):
			f = p.fixed[p.next]
			if f.RecordedAt.UnixMicro() > untilUs {
				return out
			}
			p.next++
		case len(p.notices) > 0:
			f = p.notices[0]
			if f.RecordedAt.UnixMicro() > untilUs {
				return out
			}
			p.notices = p.notices[1:]
		default:
			return out
		}
		out = append(out, f)
	}
	return out
}
