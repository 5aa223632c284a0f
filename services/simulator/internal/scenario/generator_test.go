package scenario

import (
	"reflect"
	"strconv"
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

// TestVersion3Fields: every event of a person's role names a staff number,
// and retained data given to law enforcement is restricted for a time, so
// that a year after the period some restrictions have lapsed and some have
// not.
func TestVersion3Fields(t *testing.T) {
	events := take(newGen(t, Config{Seed: 7, Subjects: 2000, Start: testStart, End: testEnd, Events: 50_000, Keyer: testKeyer(t)}), 50_000)
	var restricted, lapsed int
	for _, e := range events {
		if (e.Actor.Type == lineage.EmployeeRole) != (e.Actor.Employee != nil) {
			t.Fatalf("event %s: actor %s with employee %v", e.ID, e.Actor.Type, e.Actor.Employee)
		}
		if r := e.Restriction; r != nil {
			restricted++
			if e.Recipient == nil || e.Recipient.Category != "law_enforcement" || r.Basis == "" {
				t.Fatalf("event %s restricted: %+v to %+v", e.ID, r, e.Recipient)
			}
			if !e.RestrictedAt(testEnd.AddDate(1, 0, 0)) {
				lapsed++
			}
		}
		if err := e.Validate(testEnd); err != nil {
			t.Fatalf("event %s: %v", e.ID, err)
		}
	}
	if restricted == 0 || lapsed == 0 || lapsed == restricted {
		t.Errorf("%d restricted disclosures, %d lapsed a year after the period: want both kinds", restricted, lapsed)
	}
}
