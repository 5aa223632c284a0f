package scenario

import (
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

var (
	testStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	testEnd   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TestEveryScenarioYieldsValidEvents plays each scenario alone, with many
// seeds, and validates every event it makes.
func TestEveryScenarioYieldsValidEvents(t *testing.T) {
	for _, s := range Catalogue() {
		t.Run(s.Name, func(t *testing.T) {
			alone := s
			// Every customer may have it, but for the service whose
			// identifier a step knows them by.
			alone.Requires, alone.Excludes = 0, 0
			for _, st := range s.Steps {
				alone.Requires |= st.Identify.Requires()
			}
			for seed := uint64(1); seed <= 40; seed++ {
				g, err := New(Config{
					Seed: seed, Subjects: 500, Start: testStart, End: testEnd,
					Events: 50 * int64(len(s.Steps)), Scenarios: []Scenario{alone}, Keyer: testKeyer(t),
					Sources: []string{s.Source()}, // some profiles lack the service
				})
				if err != nil {
					t.Fatal(err)
				}
				for i := range 50 * len(s.Steps) {
					e := g.Next()
					if err := e.Validate(testEnd); err != nil {
						t.Fatalf("seed %d event %d: %v", seed, i, err)
					}
					if got := e.Attributes[ScenarioAttr]; got != s.Name {
						t.Fatalf("attribute %s = %q, want %q", ScenarioAttr, got, s.Name)
					}
					st := s.Steps[i%len(s.Steps)]
					if e.Kind != st.Kind {
						t.Fatalf("seed %d event %d: kind %s, want step %d's %s", seed, i, e.Kind, i%len(s.Steps), st.Kind)
					}
					if known := e.SubjectIdentifier != nil; known != (st.Identify != ByCustomerID) ||
						known && e.SubjectIdentifier.Kind != st.Identify.Kind() {
						t.Fatalf("seed %d event %d: subject identifier %v, want one by %s", seed, i, e.SubjectIdentifier, st.Identify)
					}
				}
			}
		})
	}
}

func TestCatalogueIsConsistent(t *testing.T) {
	names := map[string]bool{}
	byID := map[string]lineage.Recipient{}
	teamOf := map[string]Team{} // role → its team
	for _, s := range Catalogue() {
		if names[s.Name] {
			t.Errorf("scenario %s is listed twice", s.Name)
		}
		names[s.Name] = true
		if s.Weight <= 0 {
			t.Errorf("scenario %s: weight %d, want > 0", s.Name, s.Weight)
		}
		if s.Requires&s.Excludes != 0 {
			t.Errorf("scenario %s requires and excludes the same trait", s.Name)
		}
		for i, st := range s.Steps {
			if st.SourceSystem != s.Source() {
				t.Errorf("scenario %s step %d: source %s, but the scenario is %s's", s.Name, i, st.SourceSystem, s.Source())
			}
			if need := st.Identify.Requires(); s.Requires&need != need {
				t.Errorf("scenario %s step %d: known by %s without requiring the service", s.Name, i, st.Identify)
			}
			if st.Kind.HasRecipient() != (len(st.Recipients) > 0) {
				t.Errorf("scenario %s step %d: %s with %d recipients", s.Name, i, st.Kind, len(st.Recipients))
			}
			for _, r := range st.Recipients {
				if prev, ok := byID[r.ID]; ok && (prev.Name != r.Name || prev.Category != r.Category || prev.Country != r.Country) {
					t.Errorf("recipient id %s names two recipients: %+v and %+v", r.ID, prev, r)
				}
				byID[r.ID] = r
				if st.Restriction != nil && r.Category != "law_enforcement" {
					t.Errorf("scenario %s step %d: restricted disclosure to %s, only an investigation is kept from the subject", s.Name, i, r.Category)
				}
			}
			// The operator's own people are numbered; a processor's are not.
			own := st.Actor.Type == lineage.EmployeeRole && st.SourceSystem != "third_country_processor"
			if own != (st.Staff != Team{}) {
				t.Errorf("scenario %s step %d: %s actor %s of %s with team %+v", s.Name, i, st.Actor.Type, st.Actor.ID, st.SourceSystem, st.Staff)
			}
			if prev, ok := teamOf[st.Actor.ID]; ok && prev != st.Staff {
				t.Errorf("role %s has two teams: %+v and %+v", st.Actor.ID, prev, st.Staff)
			}
			if own {
				teamOf[st.Actor.ID] = st.Staff
			}
		}
	}
	for a, ta := range teamOf {
		for b, tb := range teamOf {
			if a < b && ta.First < tb.First+tb.Size && tb.First < ta.First+ta.Size {
				t.Errorf("roles %s and %s share staff numbers: %+v, %+v", a, b, ta, tb)
			}
		}
	}
}

// TestCatalogueCoversTheBrief checks the operations the demo relies on.
func TestCatalogueCoversTheBrief(t *testing.T) {
	type want struct {
		kind      lineage.Kind
		category  string // recipient category, "" for an access
		purpose   string
		basis     string
		mechanism string // "" inside the EU/EEA
	}
	wants := map[string]want{
		"call-centre card":      {lineage.Access, "", "service_provision", "contract", ""},
		"installation partner":  {lineage.ProcessorHandoff, "processor", "service_provision", "contract", ""},
		"e-invoice":             {lineage.Transfer, "e_invoice_provider", "service_provision", "contract", ""},
		"post":                  {lineage.Transfer, "postal_provider", "service_provision", "contract", ""},
		"bank":                  {lineage.Transfer, "bank", "service_provision", "contract", ""},
		"debt collector":        {lineage.Transfer, "debt_collector", "credit_and_debt", "legitimate_interest", ""},
		"credit bureau":         {lineage.Transfer, "credit_bureau", "credit_and_debt", "legitimate_interest", ""},
		"distribution operator": {lineage.Transfer, "distribution_operator", "service_provision", "contract", ""},
		"tv analytics":          {lineage.ProcessorHandoff, "processor", "planning_analytics", "consent", ""},
		"law enforcement":       {lineage.Transfer, "law_enforcement", "legal_obligation", "legal_obligation", ""},
		"vendor under SCC":      {lineage.ProcessorHandoff, "processor", "service_provision", "legitimate_interest", "standard_contractual_clauses"},
		"vendor under adequacy": {lineage.ProcessorHandoff, "processor", "service_provision", "contract", "adequacy_decision"},
	}
	found := map[string]bool{}
	for _, s := range Catalogue() {
		for _, st := range s.Steps {
			for name, w := range wants {
				if st.Kind != w.kind || st.Purpose != w.purpose || st.LegalBasis != w.basis {
					continue
				}
				if len(st.Recipients) == 0 && w.category == "" && st.Actor.ID == "call_centre_agent" {
					found[name] = true
				}
				for _, r := range st.Recipients {
					if r.Category == w.category && lineage.Deref(r.TransferMechanism) == w.mechanism {
						found[name] = true
					}
				}
			}
			for _, r := range st.Recipients {
				c, _ := taxonomy.LookupCountry(r.Country)
				if lineage.Deref(r.TransferMechanism) == "standard_contractual_clauses" && (c.EEA || c.Adequacy) {
					t.Errorf("recipient %s: SCCs for %s, which needs none", r.ID, r.Country)
				}
			}
		}
	}
	for name := range wants {
		if !found[name] {
			t.Errorf("no step covers %s", name)
		}
	}
}

// TestCatalogueIdentifiesAsTheSourcesKnow checks who each source system
// knows: the customer id on the account side, identifiers on the service
// side (see the catalogue's comment).
func TestCatalogueIdentifiesAsTheSourcesKnow(t *testing.T) {
	allowed := map[string][]Identity{
		"crm":                     {ByCustomerID},
		"billing":                 {ByCustomerID},
		"third_country_processor": {ByCustomerID},
		"self_service_portal":     {ByCustomerID},
		"contact_centre":          {ByCustomerID},
		"cdr_mediation":           {ByPhoneNumber, ByIPAddress},
		"tv_usage":                {BySetTopBox, ByContract},
		"network_inventory":       {ByTerminalMAC, ByIPAddress},
	}
	seen := map[Identity]bool{}
	for _, s := range Catalogue() {
		for i, st := range s.Steps {
			if !slices.Contains(allowed[st.SourceSystem], st.Identify) {
				t.Errorf("scenario %s step %d: %s knows the customer by %s", s.Name, i, st.SourceSystem, st.Identify)
			}
			seen[st.Identify] = true
		}
	}
	for id := range Identity(identityCount) {
		if !seen[id] {
			t.Errorf("no step knows the customer by %s", id)
		}
	}
}
