package taxonomy

import (
	"fmt"
	"testing"
)

// TestDataSourcesFollowPolicy16 pins the data sources to §16 of the 2025
// policy: one code per point, in the policy's order, each citing its point,
// its Latvian name the point's words (copied here from the Latvian text,
// made into labels: "no Klienta" becomes "Klients").
func TestDataSourcesFollowPolicy16(t *testing.T) {
	want := []struct{ code, nameLV string }{
		{"customer", "Klients"},                                                    // 16.1. no Klienta
		{"operator_systems", "Balticom informācijas sistēmas"},                     // 16.2. no Balticom informācijas sistēmām
		{"intrusion_detection", "Ielaušanās aizsardzības un atklāšanas programma"}, // 16.3. no ielaušanās aizsardzības un atklāšanas programmas
		{"credit_history", "Kredītvēstures datubāzes"},                             // 16.4. no kredītvēstures datubāzēm
		{"partners", "Balticom sadarbības partneri"},                               // 16.5. no Balticom sadarbības partneriem
		{"public_registers", "Publiski pieejamas datu bāzes"},                      // 16.6. no publiski pieejamām datu bāzēm (…)
	}
	got := DataSources()
	if len(got) != len(want) {
		t.Fatalf("got %d data sources, §16 has %d points", len(got), len(want))
	}
	for i, w := range want {
		cite := fmt.Sprintf("§16.%d", i+1)
		if g := got[i]; g.Code != w.code || g.Cite != cite || g.NameLV != w.nameLV {
			t.Errorf("entry %d: %q %q %q, want %q %q %q", i, g.Code, g.Cite, g.NameLV, w.code, cite, w.nameLV)
		}
	}
}

// TestLookupDataSource: every code is found with its whole entry, and near
// misses (case, spaces, the source system codes, the section) are not.
func TestLookupDataSource(t *testing.T) {
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"customer", true},
		{"operator_systems", true},
		{"intrusion_detection", true},
		{"credit_history", true},
		{"partners", true},
		{"public_registers", true},
		{"", false},
		{"Customer", false},
		{"customer ", false},
		{"crm", false}, // a source system, not a data source
		{"billing", false},
		{"16.1", false},
		{"§16.1", false},
		{"public_databases", false},
	} {
		got, ok := LookupDataSource(tc.code)
		if ok != tc.ok || ok && got.Code != tc.code {
			t.Errorf("LookupDataSource(%q) = %+v, %v; want found %v", tc.code, got, ok, tc.ok)
		}
	}
}
