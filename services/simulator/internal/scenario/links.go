package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// LinkConfig shapes a LinkPlan.
type LinkConfig struct {
	// Delay holds every statement back by this much simulated time: a
	// statement recorded at t is due when the events reach t+Delay, so the
	// events of the first Delay of each window arrive before the link that
	// resolves them (late-arriving links; the store resolves at query time,
	// so the answers come out the same once the links are in). The
	// statements keep their recorded_at: CRM recorded them in time, the
	// export to the tracker is what lags.
	Delay time.Duration
	// Unlinked is the fraction (0 to 1) of links never stated, as if CRM
	// had lost them (a number ported in and never entered): the events
	// identified through them stay unresolved, in nobody's answer.
	Unlinked float64
}

// LinkPlan is CRM's side of the identity model (identities.go): every
// statement of every identity link of the population, in the order they
// are due. A link opens (valid_from, no valid_to) when CRM assigns a
// number, an address, a contract or a device, recorded then; when the
// customer gives it back CRM states the link again with valid_to, recorded
// at the release. The plan starts with the links open at the period's
// start, customer by customer: CRM's current assignments, which is where a
// tracker started on a running operator begins. Statements of one link
// share (subject_id, identifier, valid_from), so the store keeps the later.
//
// It is deterministic: it depends on the generator's seed, population and
// period and on LinkConfig, not on the events. A LinkPlan is not safe for
// concurrent use; it may be used alongside its generator.
type LinkPlan struct {
	ids      *identities
	keyer    *identity.Keyer
	delayUs  int64
	unlinked float64

	// The links open at the start, listed from customer n on; n beyond
	// the population when done.
	n     uint64
	start []lineage.IdentityLink
	// Every later statement, by due time.
	later []statement
	next  int

	links, withheld int64
}

// statement is a link statement due later than the start, compactly: the
// link is rebuilt from the identity model when it is due.
type statement struct {
	dueUs    int64
	n        uint32
	identity Identity
	index    uint8 // of the customer's holdings of the identity
	closing  bool  // the statement with valid_to
}

// Links returns the link plan of the generator's population. It needs the
// generator's Keyer. Making it visits every customer once and keeps the
// statements due after the start (some 16 bytes per customer).
func (g *Generator) Links(cfg LinkConfig) (*LinkPlan, error) {
	switch {
	case g.keyer == nil:
		return nil, errors.New("identity links need an identity key (Keyer)")
	case cfg.Delay < 0:
		return nil, fmt.Errorf("link delay must be 0 or more, got %s", cfg.Delay)
	case !(cfg.Unlinked >= 0 && cfg.Unlinked <= 1):
		return nil, fmt.Errorf("unlinked fraction must be between 0 and 1, got %g", cfg.Unlinked)
	case g.subjects > math.MaxUint32:
		return nil, fmt.Errorf("links are planned for at most %d customers", uint64(math.MaxUint32))
	}
	if err := g.ids.checkValues(g.keyer); err != nil {
		return nil, err
	}
	p := &LinkPlan{ids: g.ids, keyer: g.keyer, delayUs: cfg.Delay.Microseconds(), unlinked: cfg.Unlinked, n: 1}
	m := g.ids
	for n := uint64(1); n <= m.subjects; n++ {
		prof := m.profile(n)
		for id := ByCustomerID + 1; id < identityCount; id++ {
			hs, count := m.holdings(n, prof, id)
			for i, h := range hs[:count] {
				if p.withhold(n, id, i) {
					p.withheld++
					continue
				}
				p.links++
				if h.fromUs > m.startUs {
					p.later = append(p.later, statement{dueUs: h.fromUs + p.delayUs, n: uint32(n), identity: id, index: uint8(i)})
				}
				if h.toUs < m.endUs {
					p.later = append(p.later, statement{dueUs: h.toUs + p.delayUs, n: uint32(n), identity: id, index: uint8(i), closing: true})
				}
			}
		}
	}
	slices.SortFunc(p.later, func(a, b statement) int {
		return cmp.Or(cmp.Compare(a.dueUs, b.dueUs), cmp.Compare(a.n, b.n), cmp.Compare(a.identity, b.identity),
			cmp.Compare(a.index, b.index), compareBool(a.closing, b.closing))
	})
	return p, nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// withhold decides whether link i of customer n's identity id is withheld.
func (p *LinkPlan) withhold(n uint64, id Identity, i int) bool {
	if p.unlinked == 0 {
		return false
	}
	h := p.ids.hash(id, n*4+uint64(i)+0x51ed270b)
	return float64(h>>11)/(1<<53) < p.unlinked
}

// Links is the number of links the plan states (each with one or two
// statements); Withheld the number it withholds (LinkConfig.Unlinked).
func (p *LinkPlan) Links() int64    { return p.links }
func (p *LinkPlan) Withheld() int64 { return p.withheld }

// NextDue returns when the next statement is due; ok is false when none
// is left.
func (p *LinkPlan) NextDue() (due time.Time, ok bool) {
	m := p.ids
	switch {
	case len(p.start) > 0 || p.n <= m.subjects:
		return time.UnixMicro(m.startUs + p.delayUs).UTC(), true
	case p.next < len(p.later):
		return time.UnixMicro(p.later[p.next].dueUs).UTC(), true
	}
	return time.Time{}, false
}

// Done reports whether every statement has been returned.
func (p *LinkPlan) Done() bool {
	return p.n > p.ids.subjects && len(p.start) == 0 && p.next == len(p.later)
}

// Due returns the next statements due at or before until, at most limit
// of them (limit ≥ 1), in order; none when nothing is due yet. Called with
// the occurred_at of each event before it is sent, it interleaves the
// links with the events as CRM would have sent them.
func (p *LinkPlan) Due(until time.Time, limit int) []lineage.IdentityLink {
	return p.due(until.UnixMicro(), limit)
}

// Rest returns the next statements whatever their due time, at most limit
// of them: what is left at the end of a run.
func (p *LinkPlan) Rest(limit int) []lineage.IdentityLink { return p.due(math.MaxInt64, limit) }

func (p *LinkPlan) due(untilUs int64, limit int) []lineage.IdentityLink {
	var out []lineage.IdentityLink
	m := p.ids
	for len(out) < limit {
		if len(p.start) == 0 && p.n <= m.subjects && m.startUs+p.delayUs <= untilUs {
			p.fillStart()
			continue
		}
		if len(p.start) > 0 {
			k := min(limit-len(out), len(p.start))
			out = append(out, p.start[:k]...)
			p.start = p.start[k:]
			continue
		}
		if p.n <= m.subjects || p.next == len(p.later) || p.later[p.next].dueUs > untilUs {
			return out
		}
		st := p.later[p.next]
		p.next++
		out = append(out, p.statement(st))
	}
	return out
}

// fillStart lists the links open at the start of customer p.n (one at
// least, unless all were withheld) and moves on to the next customer.
func (p *LinkPlan) fillStart() {
	m := p.ids
	for ; p.n <= m.subjects && len(p.start) == 0; p.n++ {
		prof := m.profile(p.n)
		for id := ByCustomerID + 1; id < identityCount; id++ {
			hs, count := m.holdings(p.n, prof, id)
			for i, h := range hs[:count] {
				if h.fromUs == m.startUs && !p.withhold(p.n, id, i) {
					p.start = append(p.start, p.link(p.n, id, h, false))
				}
			}
		}
	}
}

// statement rebuilds the link statement st.
func (p *LinkPlan) statement(st statement) lineage.IdentityLink {
	n := uint64(st.n)
	hs, _ := p.ids.holdings(n, p.ids.profile(n), st.identity)
	return p.link(n, st.identity, hs[st.index], st.closing)
}

// link states that customer n holds h: open, or closed at h.toUs.
func (p *LinkPlan) link(n uint64, id Identity, h holding, closing bool) lineage.IdentityLink {
	// Cannot fail: Links checked every identity's value format.
	ident, _ := p.keyer.Identifier(id.Kind(), p.ids.value(id, h.value))
	l := lineage.IdentityLink{
		SubjectID:    formatSubject(n),
		Identifier:   ident,
		ValidFrom:    time.UnixMicro(h.fromUs).UTC(),
		RecordedAt:   time.UnixMicro(h.fromUs).UTC(),
		SourceSystem: LinkSource,
	}
	if closing {
		to := time.UnixMicro(h.toUs).UTC()
		l.ValidTo, l.RecordedAt = &to, to
	}
	return l
}
