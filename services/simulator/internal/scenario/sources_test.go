package scenario

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// TestEachSourceAlone plays each source system alone: only its events come
// out, all valid, all its scenarios happen, and the run is deterministic.
func TestEachSourceAlone(t *testing.T) {
	byName := map[string]Scenario{}
	for _, s := range Catalogue() {
		byName[s.Name] = s
	}
	for _, src := range Sources(Catalogue()) {
		t.Run(src, func(t *testing.T) {
			cfg := Config{Seed: 21, Subjects: 3000, Start: testStart, End: testEnd, Events: 30_000, Sources: []string{src}}
			g := newGen(t, cfg)
			played := map[string]bool{}
			events := take(g, 30_000)
			for i, e := range events {
				if err := e.Validate(testEnd); err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				if e.SourceSystem != src {
					t.Fatalf("event %d from %s in a run of %s", i, e.SourceSystem, src)
				}
				played[e.Attributes[ScenarioAttr]] = true
			}
			for name, s := range byName {
				if s.Source() == src && !played[name] {
					t.Errorf("scenario %s never happens", name)
				}
			}
			if !reflect.DeepEqual(events[:1000], take(newGen(t, cfg), 1000)) {
				t.Error("two generators of one source disagree")
			}
		})
	}
}

// TestSourcesMakeOwnIDs checks that the processes of a per-source
// deployment, sharing a seed, never share an event id, and that the id
// stream depends on the set of sources, not on how it is written.
func TestSourcesMakeOwnIDs(t *testing.T) {
	ids := func(sources ...string) []string {
		g := newGen(t, Config{Seed: 1, Subjects: 500, Start: testStart, End: testEnd, Events: 2000, Sources: sources})
		out := make([]string, 2000)
		for i := range out {
			out[i] = g.Next().ID
		}
		return out
	}
	seen := map[string]string{}
	for _, src := range Sources(Catalogue()) {
		for _, id := range ids(src) {
			if other, ok := seen[id]; ok {
				t.Fatalf("id %s made by both %s and %s", id, other, src)
			}
			seen[id] = src
		}
	}
	if !slices.Equal(ids("crm", "billing"), ids("billing", "crm", "billing")) {
		t.Error("the order or repetition of sources changed the events")
	}
	if !slices.Equal(ids(Sources(Catalogue())...), ids()) {
		t.Error("naming every source is not the same run as naming none")
	}
}

// TestScenarioSourceIsItsFirstStep checks the rule for a scenario whose
// steps span systems: it is played whole, by its first step's system.
func TestScenarioSourceIsItsFirstStep(t *testing.T) {
	access := func(src string) Step {
		return Step{Kind: lineage.Access, SourceSystem: src, Actor: role("agent"), Categories: cats("customer"),
			Purpose: "service_provision", LegalBasis: "contract"}
	}
	catalogue := []Scenario{
		{Name: "crm.then_billing", Weight: 1, Steps: []Step{access("crm"), access("billing")}},
		{Name: "billing.alone", Weight: 1, Steps: []Step{access("billing")}},
	}
	if got := Sources(catalogue); !slices.Equal(got, []string{"crm", "billing"}) {
		t.Errorf("Sources = %v", got)
	}
	g := newGen(t, Config{Seed: 1, Subjects: 50, Start: testStart, End: testEnd, Events: 1000, Scenarios: catalogue, Sources: []string{"crm"}})
	steps := map[string]bool{}
	for _, e := range take(g, 1000) {
		if e.Attributes[ScenarioAttr] != "crm.then_billing" {
			t.Fatalf("scenario %s played by crm", e.Attributes[ScenarioAttr])
		}
		steps[e.SourceSystem] = true
	}
	if !steps["crm"] || !steps["billing"] {
		t.Errorf("steps seen from %v, want the whole scenario", steps)
	}
	g = newGen(t, Config{Seed: 1, Subjects: 50, Start: testStart, End: testEnd, Events: 100, Scenarios: catalogue, Sources: []string{"billing"}})
	for _, e := range take(g, 100) {
		if e.Attributes[ScenarioAttr] != "billing.alone" {
			t.Fatalf("scenario %s played by billing", e.Attributes[ScenarioAttr])
		}
	}
	if _, err := New(Config{Seed: 1, Subjects: 50, Start: testStart, End: testEnd, Events: 100, Scenarios: catalogue[:1], Sources: []string{"billing"}}); err == nil {
		t.Error("billing selected though no scenario starts there")
	}
}

func TestKeyedSources(t *testing.T) {
	all := Catalogue()
	for _, tc := range []struct {
		selected, want []string
	}{
		{nil, []string{"crm", "network_inventory", "tv_usage", "cdr_mediation"}},
		{[]string{"billing", "third_country_processor", "self_service_portal", "contact_centre"}, nil},
		{[]string{"crm"}, []string{"crm"}},
		{[]string{"billing", "cdr_mediation"}, []string{"cdr_mediation"}},
	} {
		if got := KeyedSources(all, tc.selected); !slices.Equal(got, tc.want) {
			t.Errorf("KeyedSources(%v) = %v, want %v", tc.selected, got, tc.want)
		}
	}
	// Sources without identifiers need no key.
	if _, err := New(Config{Seed: 1, Subjects: 10, Start: testStart, End: testEnd, Events: 10, Sources: []string{"billing", "contact_centre"}}); err != nil {
		t.Errorf("billing without a key: %v", err)
	}
}

// TestSparseSourcesLeaveNoGaps checks that a source that only some
// customers have (TV) and a short period still fills every slot.
func TestSparseSourcesLeaveNoGaps(t *testing.T) {
	g := newGen(t, Config{Seed: 9, Subjects: 20, Start: testStart, End: testStart.Add(time.Hour), Events: 500, Sources: []string{"tv_usage"}})
	for range 500 {
		g.Next()
	}
	if g.Pass() != 0 {
		t.Errorf("pass %d after one pass's events: a slot was left empty", g.Pass())
	}
	g.Next()
	if g.Pass() != 1 {
		t.Errorf("pass %d after a pass and one event, want 1", g.Pass())
	}
}
