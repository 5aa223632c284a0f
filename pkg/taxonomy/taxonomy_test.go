package taxonomy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// catalogueCase views one catalogue through its Terms, so that the generic
// checks run on every catalogue.
type catalogueCase struct {
	name   string
	terms  func() []Term
	lookup func(code string) (Term, bool)
}

func catalogueCases() []catalogueCase {
	return []catalogueCase{
		{"categories",
			func() []Term { return termsOf(Categories(), func(c Category) Term { return c.Term }) },
			func(code string) (Term, bool) { c, ok := LookupCategory(code); return c.Term, ok }},
		{"purposes", Purposes, LookupPurpose},
		{"legal bases", LegalBases, LookupLegalBasis},
		{"legitimate interests", LegitimateInterests, LookupLegitimateInterest},
		{"recipient categories", RecipientCategories, LookupRecipientCategory},
		{"transfer mechanisms", TransferMechanisms, LookupTransferMechanism},
		{"retention rules",
			func() []Term { return termsOf(RetentionRules(), func(r RetentionRule) Term { return r.Term }) },
			func(code string) (Term, bool) { r, ok := LookupRetentionRule(code); return r.Term, ok }},
		{"source systems", SourceSystems, LookupSourceSystem},
		{"data sources", DataSources, LookupDataSource},
	}
}

func termsOf[T any](items []T, term func(T) Term) []Term {
	out := make([]Term, len(items))
	for i, it := range items {
		out[i] = term(it)
	}
	return out
}

func codesOf(terms []Term) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Code
	}
	return out
}

var codeRE = regexp.MustCompile(`^[a-z0-9_.]+$`)

func TestCodesUniqueAndWellFormed(t *testing.T) {
	citeStyles := []string{"annex 1, cat. ", "§", "2018 ", "GDPR Art. ", "project: "}
	for _, tc := range catalogueCases() {
		t.Run(tc.name, func(t *testing.T) {
			terms := tc.terms()
			if len(terms) == 0 {
				t.Fatal("empty catalogue")
			}
			seen := make(map[string]bool, len(terms))
			for _, term := range terms {
				if seen[term.Code] {
					t.Errorf("code %q repeated", term.Code)
				}
				seen[term.Code] = true
				if !codeRE.MatchString(term.Code) {
					t.Errorf("code %q does not match %s", term.Code, codeRE)
				}
				if term.Name == "" {
					t.Errorf("code %q has no name", term.Code)
				}
				if !slices.ContainsFunc(citeStyles, func(p string) bool { return strings.HasPrefix(term.Cite, p) }) {
					t.Errorf("code %q: cite %q is not in the digest's style", term.Code, term.Cite)
				}
			}
		})
	}
}

func TestLookups(t *testing.T) {
	misses := []string{"", "unknown", " contract", "contract ", "Identification", "CONSENT", "7.0", "7.30", "§7.1", "7", "lv", "LV"}
	for _, tc := range catalogueCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, want := range tc.terms() {
				got, ok := tc.lookup(want.Code)
				if !ok || got != want {
					t.Errorf("lookup %q = %+v, %v; want %+v, true", want.Code, got, ok, want)
				}
			}
			for _, code := range misses {
				if got, ok := tc.lookup(code); ok {
					t.Errorf("lookup %q = %+v; want a miss", code, got)
				}
			}
		})
	}
}

func TestCategoryLookupReturnsWholeEntry(t *testing.T) {
	for _, want := range Categories() {
		got, ok := LookupCategory(want.Code)
		if !ok || got != want {
			t.Errorf("LookupCategory(%q) = %+v, %v; want %+v", want.Code, got, ok, want)
		}
	}
	for _, want := range RetentionRules() {
		got, ok := LookupRetentionRule(want.Code)
		if !ok || got != want {
			t.Errorf("LookupRetentionRule(%q) = %+v, %v; want %+v", want.Code, got, ok, want)
		}
	}
}

func TestSlicesAreCopies(t *testing.T) {
	mutate := func(t *Term) {
		t.Code, t.Name, t.NameLV, t.Cite, t.Note = "mutated", "mutated", "mutated", "mutated", "mutated"
	}
	cases := []struct {
		name  string
		spoil func()
	}{
		{"categories", func() {
			s := Categories()
			mutate(&s[0].Term)
			s[0].Retention, s[0].Examples, s[0].Special = "mutated", "mutated", true
			s[len(s)-1] = Category{}
		}},
		{"purposes", func() { s := Purposes(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"legal bases", func() { s := LegalBases(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"legitimate interests", func() { s := LegitimateInterests(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"recipient categories", func() { s := RecipientCategories(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"transfer mechanisms", func() { s := TransferMechanisms(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"retention rules", func() {
			s := RetentionRules()
			mutate(&s[0].Term)
			s[0].MinPeriod, s[0].MaxPeriod = time.Hour, time.Hour
			s[len(s)-1] = RetentionRule{}
		}},
		{"source systems", func() { s := SourceSystems(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"data sources", func() { s := DataSources(); mutate(&s[0]); s[len(s)-1] = Term{} }},
		{"countries", func() {
			s := Countries()
			s[0] = Country{Code: "mutated", Name: "mutated", NameLV: "mutated", EEA: true, Adequacy: true}
			s[len(s)-1] = Country{}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			tc.spoil()
			if after := snapshot(); after != before {
				t.Errorf("the catalogue changed through a returned slice:\nbefore %.200s\nafter  %.200s", before, after)
			}
		})
	}
}

// snapshot renders every catalogue, through both the list and the lookup.
func snapshot() string {
	var b strings.Builder
	for _, c := range Categories() {
		l, _ := LookupCategory(c.Code)
		fmt.Fprintf(&b, "%+v|%+v\n", c, l)
	}
	for _, tc := range catalogueCases() {
		for _, term := range tc.terms() {
			l, _ := tc.lookup(term.Code)
			fmt.Fprintf(&b, "%+v|%+v\n", term, l)
		}
	}
	for _, r := range RetentionRules() {
		l, _ := LookupRetentionRule(r.Code)
		fmt.Fprintf(&b, "%+v|%+v\n", r, l)
	}
	for _, c := range Countries() {
		l, _ := LookupCountry(c.Code)
		fmt.Fprintf(&b, "%+v|%+v\n", c, l)
	}
	return b.String()
}

func TestCategoriesInAnnexOrder(t *testing.T) {
	want := []string{
		"identification", "contact", "special", "contact_persons", "customer", "self_service",
		"customer_analytics", "service", "terminal_equipment", "service_contract", "transaction",
		"crm_activity", "communication", "goods_purchase", "service_purchase", "instalment_purchase",
		"solvency_check", "billing", "service_usage", "faults", "complaints", "surveys",
		"website_activity", "photos", "video", "call_recordings", "system_access", "consents",
		"location", "network_info", "traffic_data", "tv_usage",
	}
	got := Categories()
	if len(got) != 32 {
		t.Fatalf("got %d categories, want 32", len(got))
	}
	for i, c := range got {
		n := i + 1
		if c.Code != want[i] {
			t.Errorf("cat. %d: code %q, want %q", n, c.Code, want[i])
		}
		if wantCite := fmt.Sprintf("annex 1, cat. %d", n); c.Cite != wantCite {
			t.Errorf("cat. %d (%s): cite %q, want %q", n, c.Code, c.Cite, wantCite)
		}
		if c.Examples == "" {
			t.Errorf("cat. %d (%s): no examples", n, c.Code)
		}
		if wantSpecial := n == 3; c.Special != wantSpecial {
			t.Errorf("cat. %d (%s): Special = %v, want %v", n, c.Code, c.Special, wantSpecial)
		}
	}
}

func TestCategoryRetention(t *testing.T) {
	for _, c := range Categories() {
		if _, ok := LookupRetentionRule(c.Retention); !ok {
			t.Errorf("category %s: retention %q is not a rule", c.Code, c.Retention)
		}
		// The mapping is ours, so every category must say why.
		if !strings.Contains(c.Note, "Retention (ours)") {
			t.Errorf("category %s: Note does not explain its retention mapping", c.Code)
		}
	}
	for code, want := range map[string]string{
		"billing":         "accounting_5y",
		"call_recordings": "recordings_6m",
		"contact":         "contract_term",
		"consents":        "legitimate_interest_claims",
	} {
		if c, _ := LookupCategory(code); c.Retention != want {
			t.Errorf("category %s: retention %q, want %q", code, c.Retention, want)
		}
	}
}

func TestRetentionRules(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		code     string
		cite     string
		min, max time.Duration
	}{
		{"contract_term", "§20.1", 0, 0},
		{"legitimate_interest_claims", "§20.2", 0, 0},
		{"accounting_5y", "§20.3", 1827 * day, 0},
		{"audit_1y", "§21", 366 * day, 0},
		{"audit_high_security_18m", "§21", 550 * day, 0},
		{"recordings_6m", "§22", 0, 181 * day},
		{"prepaid_2y", "§23", 0, 730 * day},
		{"consent_storage", "§20.4", 0, 0},
	}
	rules := RetentionRules()
	if len(rules) != len(tests) {
		t.Errorf("got %d rules, want %d", len(rules), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r, ok := LookupRetentionRule(tt.code)
			if !ok {
				t.Fatal("missing")
			}
			if r.Cite != tt.cite || r.MinPeriod != tt.min || r.MaxPeriod != tt.max {
				t.Errorf("got cite %q min %v max %v; want %q %v %v", r.Cite, r.MinPeriod, r.MaxPeriod, tt.cite, tt.min, tt.max)
			}
		})
	}
	// Rounding on the safe side: a minimum is at least the longest calendar
	// span of its period, a maximum at most the shortest.
	start := time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)
	longest := func(years, months int) time.Duration {
		var d time.Duration
		for i := range 12 * 8 {
			from := start.AddDate(0, i, 0)
			d = max(d, from.AddDate(years, months, 0).Sub(from))
		}
		return d
	}
	shortest := func(years, months int) time.Duration {
		d := time.Duration(1<<63 - 1)
		for i := range 12 * 8 {
			from := start.AddDate(0, i, 0)
			d = min(d, from.AddDate(years, months, 0).Sub(from))
		}
		return d
	}
	for _, tt := range []struct {
		name       string
		got, bound time.Duration
		isMin      bool
	}{
		{"1 year", minOneYear, longest(1, 0), true},
		{"18 months", minEighteenMons, longest(1, 6), true},
		{"5 years", minFiveYears, longest(5, 0), true},
		{"6 months", maxSixMonths, shortest(0, 6), false},
		{"2 years", maxTwoYears, shortest(2, 0), false},
	} {
		if tt.isMin && tt.got < tt.bound || !tt.isMin && tt.got > tt.bound {
			t.Errorf("%s: %v is on the unsafe side of %v", tt.name, tt.got, tt.bound)
		}
	}
}

func TestPurposesAndBases(t *testing.T) {
	tests := []struct {
		name  string
		terms []Term
		want  [][2]string // code, cite
	}{
		{"purposes", Purposes(), [][2]string{
			{"service_provision", "§5.1"}, {"credit_and_debt", "§5.2"}, {"planning_analytics", "§5.3"},
			{"security", "§5.4"}, {"legal_obligation", "§5.5"}, {"network_building", "§5.6"}, {"other_announced", "§5.7"},
			{"commercial_communication", "§42–§47"},
		}},
		{"legal bases", LegalBases(), [][2]string{
			{"contract", "§6.1"}, {"legal_obligation", "§6.2"}, {"consent", "§6.3"},
			{"legitimate_interest", "§6.4"}, {"vital_interest", "§6.5"},
			{"similar_offer", "§43"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.terms) != len(tt.want) {
				t.Fatalf("got %d codes, want %d", len(tt.terms), len(tt.want))
			}
			for i, w := range tt.want {
				if got := tt.terms[i]; got.Code != w[0] || got.Cite != w[1] {
					t.Errorf("entry %d: %q %q, want %q %q", i, got.Code, got.Cite, w[0], w[1])
				}
			}
		})
	}
}

func TestLegitimateInterestsNumbered(t *testing.T) {
	got := LegitimateInterests()
	if len(got) != 29 {
		t.Fatalf("got %d legitimate interests, want 29", len(got))
	}
	for i, li := range got {
		want := fmt.Sprintf("7.%d", i+1)
		if li.Code != want {
			t.Errorf("entry %d: code %q, want %q", i, li.Code, want)
		}
		if li.Cite != "§"+want {
			t.Errorf("entry %d: cite %q, want %q", i, li.Cite, "§"+want)
		}
	}
}

func TestRecipientsMechanismsSources(t *testing.T) {
	tests := []struct {
		name  string
		terms []Term
		want  []string
	}{
		{"recipient categories", RecipientCategories(), []string{
			"processor", "group_company", "bank", "distribution_operator", "debt_collector", "law_enforcement",
			"authority", "court", "credit_bureau", "postal_provider", "e_invoice_provider", "insolvency_administrator",
			"out_of_court_body", "consent_recipient", "messaging_platform", "other_third_party",
		}},
		{"transfer mechanisms", TransferMechanisms(), []string{
			"adequacy_decision", "standard_contractual_clauses", "binding_corporate_rules", "art49_derogation",
		}},
		{"source systems", SourceSystems(), []string{
			"crm", "billing", "network_inventory", "tv_usage", "cdr_mediation", "third_country_processor",
			"self_service_portal", "contact_centre", "lineage_tracker",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codesOf(tt.terms); !slices.Equal(got, tt.want) {
				t.Errorf("codes %q, want %q", got, tt.want)
			}
		})
	}
}

// TestInferencesAreMarked checks that codes the policy does not itself define
// say what is ours.
func TestInferencesAreMarked(t *testing.T) {
	for _, term := range RecipientCategories() {
		if strings.HasPrefix(term.Cite, "2018 ") && !strings.Contains(term.Note, "only in the 2018 text") {
			t.Errorf("recipient %s cites only the 2018 text but its Note does not say so", term.Code)
		}
	}
	ours := regexp.MustCompile(`(?i)\bours?\b`)
	for _, code := range []string{"credit_bureau", "other_third_party", "messaging_platform", "group_company", "e_invoice_provider"} {
		if r, _ := LookupRecipientCategory(code); !ours.MatchString(r.Note) {
			t.Errorf("recipient %s: Note does not mark the inference", code)
		}
	}
	for _, m := range TransferMechanisms() {
		if !strings.HasPrefix(m.Cite, "GDPR Art. ") {
			t.Errorf("mechanism %s: cite %q, want a GDPR article", m.Code, m.Cite)
		}
		if !strings.Contains(m.Note, "names no transfer mechanism") {
			t.Errorf("mechanism %s: Note does not say the policy names none", m.Code)
		}
	}
	for _, s := range SourceSystems() {
		if s.Cite != "project: source systems" {
			t.Errorf("source system %s: cite %q", s.Code, s.Cite)
		}
	}
}

// TestHarm: a category names its harm in both languages or in neither, and
// the kinds of data Regulation 611/2013 Art. 3(2)(a) names carry one.
func TestHarm(t *testing.T) {
	for _, c := range Categories() {
		if (c.Harm == "") != (c.HarmLV == "") {
			t.Errorf("%s: harm %q, in Latvian %q: both or neither", c.Code, c.Harm, c.HarmLV)
		}
	}
	// Financial information, special categories, location data, itemised
	// call lists and web browsing.
	for _, code := range []string{"billing", "special", "location", "traffic_data", "website_activity"} {
		if c, _ := LookupCategory(code); c.Harm == "" {
			t.Errorf("%s names no harm", code)
		}
	}
}
