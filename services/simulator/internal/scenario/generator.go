package scenario

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/identity"
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
	// Sources, when not empty, restricts the run to the scenarios of these
	// source systems (Scenario.Source): one process per source system, as
	// the source systems themselves would emit. Every code must be the
	// source of some scenario. Empty plays every scenario.
	Sources []string
	// Keyer computes the keyed identifiers of the steps that know the
	// customer by one (Step.Identify) and of the identity links. It may be
	// nil only if no selected step needs it (see KeyedSources).
	Keyer *identity.Keyer
}

// Generator yields lineage events of simulated customers in occurred_at
// order. It is deterministic: two generators with the same Config yield the
// same events, ids included, so re-sending a run re-sends the same facts.
// Event ids depend on the whole Config (a changed period, population or
// source set makes new facts, with new ids, so that per-source processes
// never reuse each other's ids); customers' profiles and identifier values
// depend on the seed alone, the identifiers' windows also on the period
// and the population (see identities).
//
// An event of a step that knows the customer by an identifier carries the
// one the customer held at its occurred_at: the generator draws only
// customers who hold it then, so that resolution through the identity
// links attributes the event to the customer meant (Subject).
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
	pass     uint64 // the current pass, from 0
	tables   [profileCount]table
	ids      *identities
	keyer    *identity.Keyer
	cache    *keyCache

	// Occurred_at of the pass's slots drawn ahead of their events (a
	// scenario's identified steps are checked against the customer's
	// identifiers before it starts): slot s's is times[s%len(times)], for s
	// in [slot, drawn).
	times []int64
	drawn uint64

	// The scenario in progress: its remaining steps and its customer.
	chain   []step
	n       uint64
	profile Profile
	subject string
	pick    uint64 // selects the customer's recipient among a step's
	crew    uint64 // selects the operation's staff member and restriction

	// The marketing and rights model (marketing.go): the class of the
	// current operation's customer, the selected sources (nil: all), and
	// the occurred_at of the last event, which FactPlan reads.
	rights  *rights
	cls     rightsClass
	sources []string
	clockUs int64
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
	identify   Identity
	staff      []string // the team's staff numbers, made once
	restrict   *restriction
	ages       []age // RetentionFrom's bands; nil: the events are not dated
	requestRef bool
	// byDay are the attributes of dated events without a request number,
	// by the day their data are from (days since the epoch): events of
	// one day share them, as events share the step's other values.
	byDay map[int64]map[string]string
}

// maxByDay bounds step.byDay: more days than any step's ages span (400),
// and when it is full it starts again.
const maxByDay = 1024

// age is an AgeBand compiled: a band holds the operations whose draw in
// [0, 1) is below upTo (and not below the previous band's), and their data
// are minUs + [0, spanUs) µs old.
type age struct {
	upTo          float64
	minUs, spanUs uint64
}

// Salts that make the operation's draws of an age and a request number
// independent of each other and of its staff member and restriction, all
// derived from the same crew value.
const (
	ageSalt = 0xa0761d6478bd642f
	refSalt = 0xe7037ed1a0b428db
)

// restriction is a Restriction compiled: a disclosure is restricted when
// the high half of the operation's crew draw is below below.
type restriction struct {
	basis         string
	below         uint64
	minUs, spanUs uint64 // review after minUs + [0, spanUs) µs
}

// maxDraws bounds the customers drawn for one slot. A draw fails when the
// selected sources do nothing for the customer's profile, or when the
// customer does not hold the identifier a step needs at its time; after
// maxDraws failures the slot stays empty (the pass yields one event less).
// With the catalogue a draw fails rarely, so no slot is ever left empty in
// practice.
const maxDraws = 256

// eligibleProbe is how many customers New looks at for one that the
// selected sources have a scenario for.
const eligibleProbe = 4096

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
	catalogue := scenarios == nil
	if catalogue {
		scenarios = Catalogue()
	}
	scenarios, sourcesKey, err := selectSources(scenarios, cfg.Sources)
	if err != nil {
		return nil, err
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
		keyer:    cfg.Keyer,
	}
	g.ids = &identities{
		seed: mix(cfg.Seed ^ 0x6a09e667f3bcc908), profSeed: g.profSeed, subjects: g.subjects,
		startUs: startUs, endUs: startUs + spanUs,
	}
	g.rights = newRights(cfg.Seed, g.profSeed, g.subjects, startUs, startUs+spanUs)
	if len(cfg.Sources) > 0 {
		g.sources = slices.Clone(cfg.Sources)
	}
	params := mix(mix(mix(mix(uint64(cfg.Subjects))^uint64(startUs))^uint64(spanUs)) ^ uint64(cfg.Events))
	g.rng.Seed(mix(cfg.Seed), mix(cfg.Seed^params^sourcesKey))

	chains := make([][]step, len(scenarios))
	longest := 1
	keyed := false
	for i := range scenarios {
		c, err := compile(&scenarios[i])
		if err != nil {
			return nil, err
		}
		chains[i] = c
		longest = max(longest, len(c))
		for _, st := range c {
			keyed = keyed || st.identify != ByCustomerID
		}
	}
	if keyed {
		if cfg.Keyer == nil {
			return nil, errors.New("a selected scenario knows customers by identifiers: an identity key (Keyer) is needed")
		}
		if err := g.ids.checkValues(cfg.Keyer); err != nil {
			return nil, err
		}
		g.cache = newKeyCache(g.subjects)
	}
	g.times = make([]int64, longest)
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
		// The whole catalogue must give every customer something to do;
		// a few sources need not.
		if total == 0 && len(cfg.Sources) == 0 {
			return nil, fmt.Errorf("no scenario fits customer profile %07b", p)
		}
	}
	if len(cfg.Sources) > 0 && !g.anyEligible() {
		return nil, fmt.Errorf("sources %v have no scenario for any of the first %d customers", cfg.Sources, min(g.subjects, eligibleProbe))
	}
	// The catalogue's operator has the marketing and rights model; a list
	// of one's own plays just its scenarios.
	if catalogue {
		g.rights.steering = true
		if g.plays(LinkSource) {
			if err := g.rights.compileOps(); err != nil {
				return nil, err
			}
		}
	}
	return g, nil
}

// plays reports whether the run plays the scenarios of source system src.
func (g *Generator) plays(src string) bool {
	return len(g.sources) == 0 || slices.Contains(g.sources, src)
}

// anyEligible reports whether one of the first customers has a scenario.
func (g *Generator) anyEligible() bool {
	for n := uint64(1); n <= min(g.subjects, eligibleProbe); n++ {
		if len(g.tables[g.ids.profile(n)].cum) > 0 {
			return true
		}
	}
	return false
}

// selectSources returns the scenarios of the sources (all when sources is
// empty) and a key of the selection that enters the event ids.
func selectSources(scenarios []Scenario, sources []string) ([]Scenario, uint64, error) {
	if len(sources) == 0 {
		return scenarios, 0, nil
	}
	known := Sources(scenarios)
	want := map[string]bool{}
	for _, code := range sources {
		if !slices.Contains(known, code) {
			return nil, 0, fmt.Errorf("unknown source system %q: no scenario belongs to it (known: %s)", code, strings.Join(known, ", "))
		}
		want[code] = true
	}
	if len(want) == len(known) {
		return scenarios, 0, nil // all of them: the same run as no selection
	}
	var out []Scenario
	for _, s := range scenarios {
		if want[s.Source()] {
			out = append(out, s)
		}
	}
	// The key names the set, whatever the order or repetitions given.
	codes := slices.Sorted(maps.Keys(want))
	key := uint64(0xcbf29ce484222325)
	for _, c := range codes {
		for i := range len(c) {
			key = (key ^ uint64(c[i])) * 0x100000001b3
		}
		key = mix(key ^ ',')
	}
	return out, key, nil
}

// Sources returns the source systems of scenarios (Scenario.Source), in
// the order they first appear.
func Sources(scenarios []Scenario) []string {
	var out []string
	for i := range scenarios {
		if src := scenarios[i].Source(); src != "" && !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	return out
}

// LinkSource is the source system that states the identity links: CRM,
// where numbers, addresses, contracts and devices are assigned.
const LinkSource = "crm"

// KeyedSources returns the sources among selected (empty: all of
// scenarios') that need the identity key: those with a step that knows
// the customer by an identifier, and LinkSource, which states the links.
func KeyedSources(scenarios []Scenario, selected []string) []string {
	if len(selected) == 0 {
		selected = Sources(scenarios)
	}
	var out []string
	for _, src := range Sources(scenarios) {
		if !slices.Contains(selected, src) {
			continue
		}
		keyed := src == LinkSource
		for i := range scenarios {
			if scenarios[i].Source() != src {
				continue
			}
			for _, st := range scenarios[i].Steps {
				keyed = keyed || st.Identify != ByCustomerID
			}
		}
		if keyed {
			out = append(out, src)
		}
	}
	return out
}

// compile turns a scenario into steps and validates each.
func compile(s *Scenario) ([]step, error) {
	if len(s.Steps) == 0 {
		return nil, fmt.Errorf("scenario %s has no steps", s.Name)
	}
	probeAt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	probeID := &lineage.Identifier{HMAC: strings.Repeat("0", lineage.HMACLength)}
	out := make([]step, len(s.Steps))
	for i, st := range s.Steps {
		if st.Identify >= identityCount {
			return nil, fmt.Errorf("scenario %s step %d: unknown identity %d", s.Name, i, st.Identify)
		}
		// Only a customer who has the service has its identifier.
		if need := st.Identify.Requires(); s.Requires&need != need {
			return nil, fmt.Errorf("scenario %s step %d: known by %s, so it must require profile %07b", s.Name, i, st.Identify, need)
		}
		attrs := make(map[string]string, len(st.Attributes)+2)
		for k, v := range st.Attributes {
			attrs[k] = v
		}
		attrs[ScenarioAttr] = s.Name
		if st.DataSource != "" {
			attrs[lineage.AttrDataSource] = st.DataSource
		}
		c := step{
			kind: st.Kind, source: st.SourceSystem, actor: st.Actor, categories: st.Categories,
			purpose: st.Purpose, basis: st.LegalBasis, interest: lineage.Ptr(st.Interest),
			attrs: attrs, lagUs: uint64(max(st.RecordLag.Microseconds(), 1)), identify: st.Identify,
		}
		if err := c.compileStaff(st.Staff); err != nil {
			return nil, fmt.Errorf("scenario %s step %d: %w", s.Name, i, err)
		}
		if err := c.compileRestriction(st.Restriction); err != nil {
			return nil, fmt.Errorf("scenario %s step %d: %w", s.Name, i, err)
		}
		if err := c.compileAges(st.RetentionFrom); err != nil {
			return nil, fmt.Errorf("scenario %s step %d: %w", s.Name, i, err)
		}
		c.requestRef = st.RequestRef
		for j := range st.Recipients {
			r := st.Recipients[j]
			c.recipients = append(c.recipients, &r)
		}
		if st.Kind.HasRecipient() && len(c.recipients) == 0 {
			return nil, fmt.Errorf("scenario %s step %d: a %s needs recipients", s.Name, i, st.Kind)
		}
		// Every recipient of the step must make a valid event, with the
		// first staff member and restricted (crew 0), when the step has
		// them.
		for j := range max(len(c.recipients), 1) {
			e := c.event("00000000-0000-4000-8000-000000000000", "C00000001", probeAt.UnixMicro(), 0, uint64(j), 0)
			if st.Identify != ByCustomerID {
				probeID.Kind = st.Identify.Kind()
				e.SubjectID, e.SubjectIdentifier = "", probeID
			}
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
	for {
		if g.slot == g.perPass {
			g.slot, g.drawn, g.chain = 0, 0, nil
			g.pass++
		}
		if len(g.chain) > 0 {
			break
		}
		g.begin()
	}
	st := &g.chain[0]
	g.chain = g.chain[1:]
	at := g.at(g.slot)
	g.slot++
	id := formatUUID(g.rng.Uint64(), g.rng.Uint64())
	e := st.event(id, g.subject, at, g.below(st.lagUs), g.pick, g.crew)
	if st.identify != ByCustomerID {
		// begin drew a customer who holds it now.
		h, _ := g.ids.heldAt(g.n, g.profile, st.identify, at)
		e.SubjectID, e.SubjectIdentifier = "", g.identifier(st.identify, h.value)
	}
	if g.cls == erasureClass && e.Recipient != nil && g.pass == 0 {
		g.rights.observe(g.n, &e)
	}
	g.clockUs = at
	return e
}

// Subject returns the customer id of the customer the last event is about,
// also when the event knows them only by an identifier: the customer the
// identity links must resolve it to.
func (g *Generator) Subject() string { return g.subject }

// Pass returns the pass, from 0, of the last event.
func (g *Generator) Pass() uint64 { return g.pass }

// at returns the occurred_at of the pass's slot, drawing it if it is not
// yet; slot is at most len(g.times)-1 ahead of g.slot.
func (g *Generator) at(slot uint64) int64 {
	for g.drawn <= slot {
		// Slot k covers [k, k+1)·span/perPass; the event falls at a
		// uniform point of it, so times never decrease and stay below End.
		hi, lo := bits.Mul64(g.drawn, g.spanUs)
		lo, carry := bits.Add64(lo, g.below(g.spanUs), 0)
		off, _ := bits.Div64(hi+carry, lo, g.perPass)
		g.times[g.drawn%uint64(len(g.times))] = g.startUs + int64(off)
		g.drawn++
	}
	return g.times[slot%uint64(len(g.times))]
}

// begin draws the next customer and one of the scenarios their profile
// allows, such that the customer holds each identifier a step needs at the
// step's time. If maxDraws draws fail, it leaves the slot empty instead.
func (g *Generator) begin() {
	for range maxDraws {
		n := g.below(g.subjects) + 1
		h := mix(g.profSeed + n*0x9e3779b97f4a7c15)
		p := profileOf(h)
		t := &g.tables[p]
		if len(t.cum) == 0 {
			continue // the selected sources do nothing for this customer
		}
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
		if !g.holdsFor(n, p, t.chain[lo]) {
			continue
		}
		g.chain = t.chain[lo]
		g.n, g.profile = n, p
		g.subject = formatSubject(n)
		g.pick = mix(h)
		// Derived, not drawn: a draw from the rng would shift every later
		// id and time.
		g.crew = mix(mix(g.pick^g.slot) ^ g.pass)
		if g.rights.steering && !g.rights.steer(g) {
			continue
		}
		return
	}
	g.slot++
}

// holdsFor reports whether customer n, of profile p, holds every
// identifier the steps of chain need, each at the time of its slot.
func (g *Generator) holdsFor(n uint64, p Profile, chain []step) bool {
	for i := range chain {
		if chain[i].identify == ByCustomerID {
			continue
		}
		slot := g.slot + uint64(i)
		if slot >= g.perPass {
			break // cut by the pass's end: never played
		}
		if _, ok := g.ids.heldAt(n, p, chain[i].identify, g.at(slot)); !ok {
			return false
		}
	}
	return true
}

// event builds the event of a step: pick selects the customer's recipient,
// crew the operation's staff member and whether it is restricted.
func (s *step) event(id, subject string, atUs int64, lagUs, pick, crew uint64) lineage.Event {
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
	if len(s.staff) > 0 {
		e.Actor.Employee = &s.staff[crew%uint64(len(s.staff))]
	}
	if len(s.ages) > 0 || s.requestRef {
		e.Attributes = s.operationAttrs(atUs, crew)
	}
	if r := s.restrict; r != nil && crew>>32 < r.below {
		until := atUs + int64(r.minUs+mix(crew)%r.spanUs)
		review := time.UnixMicro(until).UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		e.Restriction = &lineage.Restriction{Basis: r.basis, ReviewAt: review}
	}
	return e
}

// operationAttrs are the step's attributes and those that differ from one
// operation to the next: the day its data are from and the authority's
// request number. Both are derived from crew, not drawn: a draw from the
// rng would shift every later id and time. Only these events get a map of
// their own.
func (s *step) operationAttrs(atUs int64, crew uint64) map[string]string {
	const dayUs = int64(24 * time.Hour / time.Microsecond)
	var fromUs int64
	if len(s.ages) > 0 {
		h := mix(crew ^ ageSalt)
		draw := float64(h>>11) / (1 << 53)
		a := s.ages[len(s.ages)-1] // the shares' sum may round below 1
		for _, b := range s.ages {
			if draw < b.upTo {
				a = b
				break
			}
		}
		fromUs = max(atUs-int64(a.minUs+mix(h)%a.spanUs), lineage.Earliest.UnixMicro())
		// Without a request number, the events whose data are of one
		// day are alike: they share a map rather than cost one each.
		if attrs, ok := s.byDay[fromUs/dayUs]; ok && !s.requestRef {
			return attrs
		}
	}
	attrs := make(map[string]string, len(s.attrs)+2)
	maps.Copy(attrs, s.attrs)
	if len(s.ages) > 0 {
		attrs[lineage.AttrRetentionFrom] = time.UnixMicro(fromUs).UTC().Format(time.DateOnly)
		if !s.requestRef {
			if s.byDay == nil || len(s.byDay) == maxByDay {
				s.byDay = make(map[int64]map[string]string)
			}
			s.byDay[fromUs/dayUs] = attrs
		}
	}
	if s.requestRef {
		// The authority's own numbering, which we do not know: ten digits,
		// so that two requests of a run rarely share one.
		attrs[lineage.AttrRequestRef] = fmt.Sprintf("LR-%010d", mix(crew^refSalt)%10_000_000_000)
	}
	return attrs
}

// compileAges checks the bands of RetentionFrom and compiles them.
func (s *step) compileAges(bands []AgeBand) error {
	if len(bands) == 0 {
		return nil
	}
	var total float64
	for _, b := range bands {
		if !(b.Share > 0 && b.Share <= 1) || b.Min < 0 || b.Max < b.Min {
			return fmt.Errorf("retention age band %+v: want a share above 0 and at most 1, and 0 <= min <= max", b)
		}
		total += b.Share
		s.ages = append(s.ages, age{upTo: total, minUs: uint64(b.Min.Microseconds()), spanUs: uint64((b.Max - b.Min).Microseconds()) + 1})
	}
	if math.Abs(total-1) > 1e-9 {
		return fmt.Errorf("retention age bands share %v of the events, want all of them", total)
	}
	return nil
}

// compileStaff numbers the step's team.
func (s *step) compileStaff(t Team) error {
	switch {
	case t == Team{}:
		return nil
	case t.Size < 1 || t.First < 0 || t.First+t.Size > 10_000:
		return fmt.Errorf("team %+v: staff numbers must be 1 or more of E0000 to E9999", t)
	case s.actor.Type != lineage.EmployeeRole:
		return fmt.Errorf("a team for a %s actor: only a role has staff", s.actor.Type)
	}
	s.staff = make([]string, t.Size)
	for i := range s.staff {
		s.staff[i] = fmt.Sprintf("E%04d", t.First+i)
	}
	return nil
}

// compileRestriction checks r and compiles it.
func (s *step) compileRestriction(r *Restriction) error {
	if r == nil {
		return nil
	}
	switch {
	case !(r.Share > 0 && r.Share <= 1):
		return fmt.Errorf("restriction share %v: want more than 0, at most 1", r.Share)
	case r.MinFor <= 0 || r.MaxFor < r.MinFor:
		return fmt.Errorf("restriction for %s to %s: want a positive range", r.MinFor, r.MaxFor)
	case !s.kind.HasRecipient():
		return fmt.Errorf("a restricted %s: only a disclosure is restricted", s.kind)
	}
	s.restrict = &restriction{
		basis:  r.Basis,
		below:  uint64(math.Round(r.Share * (1 << 32))),
		minUs:  uint64(r.MinFor.Microseconds()),
		spanUs: uint64((r.MaxFor - r.MinFor).Microseconds()) + 1,
	}
	return nil
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
