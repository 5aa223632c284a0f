package scenario

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// testKey is the identity key of the tests, in hex as configured.
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func testKeyer(t testing.TB) *identity.Keyer {
	t.Helper()
	k, err := identity.ParseKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newGen builds a generator, with the test key unless cfg has one.
func newGen(t testing.TB, cfg Config) *Generator {
	t.Helper()
	if cfg.Keyer == nil {
		cfg.Keyer = testKeyer(t)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func take(g *Generator, n int) []lineage.Event {
	out := make([]lineage.Event, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func TestGeneratorIsDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Subjects: 1000, Start: testStart, End: testEnd, Events: 20_000}
	a := take(newGen(t, cfg), 25_000) // past the end of the first pass
	b := take(newGen(t, cfg), 25_000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generators with one config disagree")
	}

	cfg.Seed = 43
	c := take(newGen(t, cfg), 100)
	for i := range c {
		if c[i].ID == a[i].ID {
			t.Fatalf("event %d has the same id under seeds 42 and 43", i)
		}
	}

	// Another period or size is another set of facts: no id may recur.
	cfg.Seed, cfg.Events = 42, 10_000
	seen := map[string]bool{}
	for _, e := range a {
		seen[e.ID] = true
	}
	for _, e := range take(newGen(t, cfg), 100) {
		if seen[e.ID] {
			t.Fatalf("id %s recurs after the event count changed", e.ID)
		}
	}
}

func TestGeneratorOrderPeriodAndIDs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end time.Time
		events     int64
	}{
		{"a year, sparse", testStart, testEnd, 5_000},
		{"a year, dense", testStart, testEnd, 200_000},
		{"an hour, denser than microseconds", testStart, testStart.Add(time.Hour), 50_000},
		{"one event", testStart, testEnd, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGen(t, Config{Seed: 7, Subjects: 3000, Start: tc.start, End: tc.end, Events: tc.events})
			ids := map[string]bool{}
			var prev time.Time
			for i := range 2 * tc.events { // two passes
				e := g.Next()
				if i == tc.events {
					prev = time.Time{} // the second pass starts over
				}
				if e.OccurredAt.Before(tc.start) || !e.OccurredAt.Before(tc.end) {
					t.Fatalf("event %d at %s, outside [%s, %s)", i, e.OccurredAt, tc.start, tc.end)
				}
				if e.OccurredAt.Before(prev) {
					t.Fatalf("event %d at %s, before its predecessor at %s", i, e.OccurredAt, prev)
				}
				prev = e.OccurredAt
				if e.RecordedAt.Before(e.OccurredAt) {
					t.Fatalf("event %d recorded before it occurred", i)
				}
				if !lineage.ValidUUID(e.ID) || e.ID[14] != '4' || !containsByte("89ab", e.ID[19]) {
					t.Fatalf("event %d: id %q is not a version-4 UUID", i, e.ID)
				}
				if ids[e.ID] {
					t.Fatalf("event %d repeats id %s", i, e.ID)
				}
				ids[e.ID] = true
				subject := g.Subject()
				if len(subject) != 9 || !lineage.ValidSubjectID(subject) {
					t.Fatalf("event %d: subject %q is not C and 8 digits", i, subject)
				}
				if e.SubjectID != subject && (e.SubjectID != "" || e.SubjectIdentifier == nil) {
					t.Fatalf("event %d names subject %q, identifier %v; want %s or an identifier", i, e.SubjectID, e.SubjectIdentifier, subject)
				}
				if n, _ := strconv.Atoi(subject[1:]); n < 1 || n > 3000 {
					t.Fatalf("event %d: subject %s outside the population", i, subject)
				}
			}
		})
	}
}

func containsByte(s string, b byte) bool {
	for i := range len(s) {
		if s[i] == b {
			return true
		}
	}
	return false
}

// TestDistribution checks that the mix looks like an operator's: accesses
// dominate, every source system and kind appears, and a customer followed
// over the period sees a mix of kinds.
func TestDistribution(t *testing.T) {
	const subjects, events = 2000, 400_000
	g := newGen(t, Config{Seed: 1, Subjects: subjects, Start: testStart, End: testEnd, Events: events})
	bySource := map[string]int{}
	byKind := map[lineage.Kind]int{}
	byScenario := map[string]int{}
	kindsOf := map[string]map[lineage.Kind]bool{}
	recipientOf := map[string]string{} // subject|scenario|category → recipient id
	for range events {
		e := g.Next()
		if err := e.Validate(testEnd); err != nil {
			t.Fatal(err)
		}
		bySource[e.SourceSystem]++
		byKind[e.Kind]++
		byScenario[e.Attributes[ScenarioAttr]]++
		subject := g.Subject()
		if kindsOf[subject] == nil {
			kindsOf[subject] = map[lineage.Kind]bool{}
		}
		kindsOf[subject][e.Kind] = true
		if e.Recipient != nil {
			key := subject + "|" + e.Attributes[ScenarioAttr] + "|" + e.Recipient.Category
			if prev, ok := recipientOf[key]; ok && prev != e.Recipient.ID {
				t.Fatalf("subject's %s changed from %s to %s", e.Recipient.Category, prev, e.Recipient.ID)
			}
			recipientOf[key] = e.Recipient.ID
		}
	}
	t.Logf("kinds: %v", byKind)
	t.Logf("sources: %v", bySource)
	for _, src := range []string{"crm", "billing", "network_inventory", "tv_usage", "cdr_mediation", "third_country_processor"} {
		if bySource[src] == 0 {
			t.Errorf("source system %s never appears", src)
		}
	}
	for _, s := range Catalogue() {
		if byScenario[s.Name] == 0 {
			t.Errorf("scenario %s never happens", s.Name)
		}
	}
	access := float64(byKind[lineage.Access]) / events
	if access < 0.8 || access > 0.95 {
		t.Errorf("accesses are %.1f%% of events, want 80-95%%", 100*access)
	}
	if byKind[lineage.Transfer] == 0 || byKind[lineage.ProcessorHandoff] == 0 {
		t.Errorf("kinds %v, want transfers and hand-offs", byKind)
	}
	mixed := 0
	for _, kinds := range kindsOf {
		if len(kinds) == 3 {
			mixed++
		}
	}
	if len(kindsOf) < subjects*99/100 {
		t.Errorf("only %d of %d subjects have events", len(kindsOf), subjects)
	}
	if mixed < len(kindsOf)*9/10 {
		t.Errorf("only %d of %d subjects with ~200 events each saw all three kinds", mixed, len(kindsOf))
	}
}

// TestProfilesGateScenarios checks that customers' traits hold: only TV
// customers have viewing data, only those who consented are analysed.
func TestProfilesGateScenarios(t *testing.T) {
	g := newGen(t, Config{Seed: 9, Subjects: 5000, Start: testStart, End: testEnd, Events: 200_000})
	profile := func(subject string) Profile {
		n, _ := strconv.Atoi(subject[1:])
		return profileOf(mix(g.profSeed + uint64(n)*0x9e3779b97f4a7c15))
	}
	scenarios := map[string]Scenario{}
	for _, s := range Catalogue() {
		scenarios[s.Name] = s
	}
	for range 200_000 {
		e := g.Next()
		s := scenarios[e.Attributes[ScenarioAttr]]
		if p := profile(g.Subject()); !s.allows(p) {
			t.Fatalf("scenario %s happened to a customer with profile %07b", s.Name, p)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	ok := Config{Seed: 1, Subjects: 10, Start: testStart, End: testEnd, Events: 10}
	keyer := testKeyer(t)
	for name, mutate := range map[string]func(*Config){
		"no subjects":       func(c *Config) { c.Subjects = 0 },
		"too many subjects": func(c *Config) { c.Subjects = MaxSubjects + 1 },
		"no events":         func(c *Config) { c.Events = 0 },
		"empty period":      func(c *Config) { c.End = c.Start },
		"before 2000":       func(c *Config) { c.Start = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) },
		"invalid step": func(c *Config) {
			s := Catalogue()[0]
			s.Steps = []Step{{Kind: lineage.Access, SourceSystem: "crm", Actor: role("x"), Categories: cats("nope"),
				Purpose: "service_provision", LegalBasis: "contract"}}
			c.Scenarios = []Scenario{s}
		},
		"profile left without scenario": func(c *Config) {
			s := Catalogue()[0]
			s.Requires = TV
			c.Scenarios = []Scenario{s}
		},
		"unknown source": func(c *Config) { c.Sources = []string{"crm", "mainframe"} },
		"identified step without its service": func(c *Config) {
			s := Catalogue()[0]
			s.Steps[0].Identify = ByPhoneNumber
			c.Scenarios = []Scenario{s}
		},
		"team of a service account": func(c *Config) {
			c.Scenarios = Catalogue()
			c.Scenarios[0].Steps[0].Actor = svc("crm-batch")
		},
		"team beyond E9999": func(c *Config) {
			c.Scenarios = Catalogue()
			c.Scenarios[0].Steps[0].Staff = Team{First: 9990, Size: 20}
		},
		"restricted access": func(c *Config) {
			c.Scenarios = Catalogue()
			c.Scenarios[0].Steps[0].Restriction = &Restriction{Basis: "b", Share: 1, MinFor: time.Hour, MaxFor: time.Hour}
		},
		"restriction of no share":        restrictLawfulRequests(func(r *Restriction) { r.Share = 0 }),
		"restriction of more than all":   restrictLawfulRequests(func(r *Restriction) { r.Share = 1.5 }),
		"restriction ending before":      restrictLawfulRequests(func(r *Restriction) { r.MaxFor = r.MinFor - time.Hour }),
		"restriction without a duration": restrictLawfulRequests(func(r *Restriction) { r.MinFor, r.MaxFor = 0, 0 }),
		"restriction without a basis":    restrictLawfulRequests(func(r *Restriction) { r.Basis = "" }),
		"a source with no scenario for anyone": func(c *Config) {
			c.Scenarios = Catalogue()
			for i := range c.Scenarios { // consent to viewing analytics without TV
				c.Scenarios[i].Requires |= TVAnalyticsConsent
				c.Scenarios[i].Excludes |= TV
			}
			c.Sources = []string{"crm"}
		},
	} {
		cfg := ok
		cfg.Keyer = keyer
		mutate(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := New(ok); err == nil {
		t.Error("New accepted the catalogue without an identity key")
	}
	ok.Keyer = testKeyer(t)
	if _, err := New(ok); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestFormatters(t *testing.T) {
	if got := formatUUID(0, 0); got != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("formatUUID(0, 0) = %s", got)
	}
	if got := formatUUID(^uint64(0), ^uint64(0)); got != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("formatUUID(max) = %s", got)
	}
	if got := formatUUID(0x0123456789abcdef, 0x0123456789abcdef); got != "01234567-89ab-4def-8123-456789abcdef" {
		t.Errorf("formatUUID = %s", got)
	}
	for n, want := range map[int]string{1: "C00000001", 42: "C00000042", MaxSubjects: "C99999999"} {
		if got := SubjectID(n); got != want {
			t.Errorf("SubjectID(%d) = %s, want %s", n, got, want)
		}
	}
}

// BenchmarkGenerate measures the generator alone; events/s is the figure the
// benchmarks' load targets are checked against. A million customers is the
// worst case for identified events: their identifiers do not fit the
// cache, so most cost an HMAC.
func BenchmarkGenerate(b *testing.B) {
	benchmarkGenerate(b, 1_000_000)
}

// BenchmarkGenerateDemo is the embedded demo's population, whose
// identifiers stay cached.
func BenchmarkGenerateDemo(b *testing.B) {
	benchmarkGenerate(b, 20_000)
}

func benchmarkGenerate(b *testing.B, subjects int) {
	g := newGen(b, Config{Seed: 1, Subjects: subjects, Start: testStart, End: testEnd, Events: 100_000_000})
	b.ReportAllocs()
	start := time.Now()
	n := 0
	var sink lineage.Event
	for b.Loop() {
		sink = g.Next()
		n++
	}
	_ = sink
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}

// restrictLawfulRequests returns a change of the config to the whole
// catalogue, with the restriction of its lawful requests changed by mutate.
func restrictLawfulRequests(mutate func(*Restriction)) func(*Config) {
	return func(c *Config) {
		c.Scenarios = Catalogue()
		for _, s := range c.Scenarios {
			for i := range s.Steps {
				if r := s.Steps[i].Restriction; r != nil {
					mutate(r)
				}
			}
		}
	}
}

// TestStaffNumbers: an event of one of the operator's roles names a member
// of the role's team, the same one for the steps of an operation, various
// ones over a customer's operations, never one of another role; a
// processor's people abroad and the actors that are not persons name none.
func TestStaffNumbers(t *testing.T) {
	events := take(newGen(t, Config{Seed: 7, Subjects: 2000, Start: testStart, End: testEnd, Events: 50_000}), 50_000)
	roleOf := map[string]string{}          // staff number → role
	agents := map[string]map[string]bool{} // customer → call-centre agents
	var named int
	for i, e := range events {
		if err := e.Validate(testEnd); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		own := e.Actor.Type == lineage.EmployeeRole && e.SourceSystem != "third_country_processor"
		if own != (e.Actor.Employee != nil) {
			t.Fatalf("event %d: %s actor %s of %s with staff number %v", i, e.Actor.Type, e.Actor.ID, e.SourceSystem, e.Actor.Employee)
		}
		if !own {
			continue
		}
		named++
		number := *e.Actor.Employee
		if n, err := strconv.Atoi(strings.TrimPrefix(number, "E")); len(number) != 5 || number[0] != 'E' || err != nil || n < 1000 {
			t.Fatalf("event %d: staff number %q, want E and four digits", i, number)
		}
		if role, ok := roleOf[number]; ok && role != e.Actor.ID {
			t.Fatalf("staff number %s acts as %s and as %s", number, role, e.Actor.ID)
		}
		roleOf[number] = e.Actor.ID
		if e.Actor.ID == "call_centre_agent" {
			if agents[e.SubjectID] == nil {
				agents[e.SubjectID] = map[string]bool{}
			}
			agents[e.SubjectID][number] = true
		}
		// The officer who looks the data up is the one who hands them over.
		if e.Kind == lineage.Transfer && e.Actor.ID == "retained_data_officer" {
			if prev := events[i-1]; prev.Actor.ID != e.Actor.ID || *prev.Actor.Employee != number {
				t.Errorf("event %d: lawful request looked up by %v, answered by %s", i, prev.Actor.Employee, number)
			}
		}
	}
	several := 0
	for _, numbers := range agents {
		if len(numbers) > 1 {
			several++
		}
	}
	t.Logf("%d events name %d people; %d of %d customers served by more than one agent", named, len(roleOf), several, len(agents))
	if named == 0 || several < len(agents)/2 {
		t.Errorf("%d customers of %d served by more than one call-centre agent: the agent must vary with the call", several, len(agents))
	}
}

// TestRestrictedDisclosures: about one lawful request in five is kept from
// the subject, each under its basis until a review at a day's start 6 to 24
// months later, so that half a year after the period some restrictions have
// lapsed and some have not. Nothing else is restricted.
func TestRestrictedDisclosures(t *testing.T) {
	cfg := Config{Seed: 3, Subjects: 3000, Start: testStart, End: testEnd, Events: 100_000, Sources: []string{"cdr_mediation"}}
	var requests, restricted, lapsed int
	for i, e := range take(newGen(t, cfg), 100_000) {
		if err := e.Validate(testEnd); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		lawEnforcement := e.Recipient != nil && e.Recipient.Category == "law_enforcement"
		if lawEnforcement {
			requests++
		}
		r := e.Restriction
		if r == nil {
			continue
		}
		restricted++
		after := r.ReviewAt.Sub(e.OccurredAt)
		if !lawEnforcement || r.Basis != "Kriminālprocesa likums, 375. pants" ||
			after < 180*24*time.Hour || after > 721*24*time.Hour || !r.ReviewAt.Equal(r.ReviewAt.Truncate(24*time.Hour)) {
			t.Fatalf("event %d to %+v restricted under %q, review %s after (at %s)", i, e.Recipient, r.Basis, after, r.ReviewAt)
		}
		if !e.RestrictedAt(testEnd.AddDate(0, 6, 0)) {
			lapsed++
		}
	}
	t.Logf("%d of %d lawful requests restricted, %d lapsed half a year after the period", restricted, requests, lapsed)
	if share := float64(restricted) / float64(requests); requests < 100 || share < 0.1 || share > 0.3 {
		t.Errorf("%d of %d lawful requests restricted, want about one in five", restricted, requests)
	}
	if lapsed == 0 || lapsed == restricted {
		t.Errorf("%d of %d restrictions lapsed half a year after the period: want both kinds", lapsed, restricted)
	}
}
