package scenario

import (
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// MaxSubjects is the largest population: subject ids are "C" and 8 digits.
const MaxSubjects = 99_999_999

// ScenarioAttr is the attribute that names the scenario of every event.
const ScenarioAttr = "sim.scenario"

// Config of a Generator.
type Config struct {
	// Seed fixes everything: the customers' profiles, the sequence of
	// operations and the event ids.
	Seed uint64
	// Subjects is the population, customers C00000001 … C<Subjects>.
	Subjects int
	// Start and End bound occurred_at: every event is in [Start, End).
	Start, End time.Time
	// Events is how many events one pass spreads over the period.
	Events int64
	// Scenarios is the catalogue to play; nil means Catalogue().
	Scenarios []Scenario
}

// Generator yields lineage events of simulated customers in occurred_at
// order. It is deterministic: two generators with the same Config yield the
// same events, ids included, so re-sending a run re-sends the same facts.
// Event ids depend on the whole Config (a changed period or population makes
// new facts, with new ids); customers' profiles depend on the seed alone.
//
// A Generator is not safe for concurrent use. Events it returns share their
// slices, map and pointers with it and with each other: treat them as
// read-only.
type Generator struct {
	rng      rand.PCG
	subjects uint64
	profSeed uint64
	startUs  int64
	spanUs   uint64
	perPass  uint64
	slot     uint64 // index of the next event in the current pass
	tables   [profileCount]table

	// The scenario in progress: its remaining steps and its customer.
	chain   []step
	subject string
	pick    uint64 // selects the customer's recipient among a step's
}

// table draws a scenario for one profile.
type table struct {
	cum   []uint64 // cumulative weights
	chain [][]step
}

// step is a Step compiled for cheap event building.
type step struct {
	kind       lineage.Kind
	source     string
	actor      lineage.Actor
	categories []string
	purpose    string
	basis      string
	interest   *string
	recipients []*lineage.Recipient
	attrs      map[string]string
	lagUs      uint64
}

// New checks cfg and the catalogue and returns a generator. Every step of
// every scenario is validated once here, so the events it yields are valid
// (the caller need not validate them again, though the producer SDK does).
func New(cfg Config) (*Generator, error) {
	switch {
	case cfg.Subjects < 1 || cfg.Subjects > MaxSubjects:
		return nil, fmt.Errorf("subjects must be 1 to %d, got %d", MaxSubjects, cfg.Subjects)
	case cfg.Start.Before(lineage.Earliest):
		return nil, fmt.Errorf("period start %s is before %s", cfg.Start.Format(time.RFC3339), lineage.Earliest.Format(time.RFC3339))
	case !cfg.End.After(cfg.Start):
		return nil, errors.New("period end must be after its start")
	case cfg.Events < 1:
		return nil, fmt.Errorf("events per pass must be at least 1, got %d", cfg.Events)
	}
	scenarios := cfg.Scenarios
	if scenarios == nil {
		scenarios = Catalogue()
	}
	startUs := cfg.Start.UnixMicro()
	spanUs := cfg.End.UnixMicro() - startUs
	if spanUs < 1 {
		return nil, errors.New("period must last at least a microsecond")
	}
	g := &Generator{
		subjects: uint64(cfg.Subjects),
		profSeed: mix(cfg.Seed ^ 0x5be0cd19137e2179),
		startUs:  startUs,
		spanUs:   uint64(spanUs),
		perPass:  uint64(cfg.Events),
	}
	params := mix(mix(mix(mix(uint64(cfg.Subjects))^uint64(startUs))^uint64(spanUs)) ^ uint64(cfg.Events))
	g.rng.Seed(mix(cfg.Seed), mix(cfg.Seed^params))

	chains := make([][]step, len(scenarios))
	for i := range scenarios {
		c, err := compile(&scenarios[i])
		if err != nil {
			return nil, err
		}
		chains[i] = c
	}
	for p := range Profile(profileCount) {
		t := &g.tables[p]
		var total uint64
		for i := range scenarios {
			if s := &scenarios[i]; s.Weight > 0 && s.allows(p) {
				total += uint64(s.Weight)
				t.cum = append(t.cum, total)
				t.chain = append(t.chain, chains[i])
			}
		}
		if total == 0 {
			return nil, fmt.Errorf("no scenario fits customer profile %07b", p)
		}
	}
	return g, nil
}

// compile turns a scenario into steps and validates each.
func compile(s *Scenario) ([]step, error) {
	if len(s.Steps) == 0 {
		return nil, fmt.Errorf("scenario %s has no steps", s.Name)
	}
	probeAt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]step, len(s.Steps))
	for i, st := range s.Steps {
		attrs := make(map[string]string, len(st.Attributes)+1)
		for k, v := range st.Attributes {
			attrs[k] = v
		}
		attrs[ScenarioAttr] = s.Name
		c := step{
			kind: st.Kind, source: st.SourceSystem, actor: st.Actor, categories: st.Categories,
			purpose: st.Purpose, basis: st.LegalBasis, interest: lineage.Ptr(st.Interest),
			attrs: attrs, lagUs: uint64(max(st.RecordLag.Microseconds(), 1)),
		}
		for j := range st.Recipients {
			r := st.Recipients[j]
			c.recipients = append(c.recipients, &r)
		}
		if st.Kind.HasRecipient() && len(c.recipients) == 0 {
			return nil, fmt.Errorf("scenario %s step %d: a %s needs recipients", s.Name, i, st.Kind)
		}
		// Every recipient of the step must make a valid event.
		for j := range max(len(c.recipients), 1) {
			e := c.event("00000000-0000-4000-8000-000000000000", "C00000001", probeAt.UnixMicro(), 0, uint64(j))
			if err := e.Validate(probeAt); err != nil {
				return nil, fmt.Errorf("scenario %s step %d: %w", s.Name, i, err)
			}
		}
		out[i] = c
	}
	return out, nil
}

// Next returns the next event, in occurred_at order within a pass. A pass
// spreads Config.Events events over the period; then a new pass starts over
// the same period with fresh ids (a scenario cut by the pass boundary loses
// its remaining steps). Next never ends: the caller decides how many to take.
func (g *Generator) Next() lineage.Event {
	if g.slot == g.perPass {
		g.slot = 0
		g.chain = nil
	}
	if len(g.chain) == 0 {
		g.begin()
	}
	st := &g.chain[0]
	g.chain = g.chain[1:]
	// The pass's slot k covers [k, k+1)·span/perPass; the event falls at a
	// uniform point of it, so times never decrease and stay below End.
	hi, lo := bits.Mul64(g.slot, g.spanUs)
	lo, carry := bits.Add64(lo, g.below(g.spanUs), 0)
	off, _ := bits.Div64(hi+carry, lo, g.perPass)
	g.slot++
	id := formatUUID(g.rng.Uint64(), g.rng.Uint64())
	return st.event(id, g.subject, g.startUs+int64(off), g.below(st.lagUs), g.pick)
}

// begin draws the next customer and one of the scenarios their profile
// allows.
func (g *Generator) begin() {
	n := g.below(g.subjects) + 1
	h := mix(g.profSeed + n*0x9e3779b97f4a7c15)
	t := &g.tables[profileOf(h)]
	x := g.below(t.cum[len(t.cum)-1])
	lo, hi := 0, len(t.cum)-1
	for lo < hi { // first i with cum[i] > x
		mid := int(uint(lo+hi) >> 1)
		if t.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	g.chain = t.chain[lo]
	g.subject = formatSubject(n)
	g.pick = mix(h)
}

// event builds the event of a step.
func (s *step) event(id, subject string, atUs int64, lagUs, pick uint64) lineage.Event {
	e := lineage.Event{
		ID:                 id,
		Kind:               s.kind,
		OccurredAt:         time.UnixMicro(atUs).UTC(),
		RecordedAt:         time.UnixMicro(atUs + int64(lagUs)).UTC(),
		SourceSystem:       s.source,
		Actor:              s.actor,
		SubjectID:          subject,
		DataCategories:     s.categories,
		Purpose:            s.purpose,
		LegalBasis:         s.basis,
		LegitimateInterest: s.interest,
		Attributes:         s.attrs,
	}
	if len(s.recipients) > 0 {
		e.Recipient = s.recipients[pick%uint64(len(s.recipients))]
	}
	return e
}

// below returns a uniform number in [0, n), n > 0 (Lemire's multiply-shift;
// the bias, below n/2^64, is irrelevant here).
func (g *Generator) below(n uint64) uint64 {
	hi, _ := bits.Mul64(g.rng.Uint64(), n)
	return hi
}

// profileOf derives a customer's traits from their hash, one byte per trait
// (shares are of the population, out of 256).
func profileOf(h uint64) Profile {
	var p Profile
	if h&0xff < 218 { // 85 %
		p |= Internet
	}
	if h>>8&0xff < 141 { // 55 %
		p |= TV
	}
	if h>>16&0xff < 90 { // 35 %
		p |= Voice
	}
	if h>>24&0xff < 38 { // 15 %
		p |= Electricity
	}
	if p == 0 {
		p = Internet
	}
	if p&TV != 0 && h>>32&0xff < 90 { // 35 % of TV customers
		p |= TVAnalyticsConsent
	}
	if h>>40&0xff < 15 { // 6 %
		p |= Debtor
	}
	if h>>48&0xff < 128 { // 50 %
		p |= EInvoice
	}
	return p
}

// mix is the SplitMix64 finaliser: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

const hexDigits = "0123456789abcdef"

// formatUUID returns the 128 bits hi:lo as a version-4 UUID.
func formatUUID(hi, lo uint64) string {
	hi = hi&^0xf000 | 0x4000 // version 4
	lo = lo&^(3<<62) | 2<<62 // RFC 4122 variant
	var b [36]byte
	putHex(b[0:8], hi>>32)
	b[8] = '-'
	putHex(b[9:13], hi>>16)
	b[13] = '-'
	putHex(b[14:18], hi)
	b[18] = '-'
	putHex(b[19:23], lo>>48)
	b[23] = '-'
	putHex(b[24:36], lo)
	return string(b[:])
}

// putHex writes the low len(dst) hex digits of v into dst.
func putHex(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = hexDigits[v&0xf]
		v >>= 4
	}
}

// formatSubject returns the customer id of customer n: "C" and 8 digits.
func formatSubject(n uint64) string {
	var b [9]byte
	b[0] = 'C'
	for i := 8; i > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// SubjectID returns the customer id of customer n (1 … MaxSubjects).
func SubjectID(n int) string { return formatSubject(uint64(n)) }
