package taxonomy

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCountryList(t *testing.T) {
	list := Countries()
	if len(list) != 249 {
		t.Fatalf("got %d countries, want 249", len(list))
	}
	alpha2 := regexp.MustCompile(`^[A-Z]{2}$`)
	seen := make(map[string]bool, len(list))
	eea := 0
	for i, c := range list {
		if !alpha2.MatchString(c.Code) {
			t.Errorf("code %q is not ISO alpha-2", c.Code)
		}
		if seen[c.Code] {
			t.Errorf("code %q repeated", c.Code)
		}
		seen[c.Code] = true
		if i > 0 && list[i-1].Code >= c.Code {
			t.Errorf("%q after %q: not in code order", c.Code, list[i-1].Code)
		}
		if c.Name == "" {
			t.Errorf("code %q has no name", c.Code)
		}
		if c.EEA {
			eea++
		}
		if c.EEA && c.Adequacy {
			t.Errorf("%s is in the EEA and needs no adequacy decision", c.Code)
		}
		if got, ok := LookupCountry(c.Code); !ok || got != c {
			t.Errorf("LookupCountry(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
		}
	}
	if eea != 30 {
		t.Errorf("got %d EEA countries, want 30", eea)
	}
}

func TestCountryFlagsAndNames(t *testing.T) {
	tests := []struct {
		code          string
		eea, adequacy bool
		nameLV        string
	}{
		{"LV", true, false, "Latvija"},
		{"DE", true, false, "Vācija"},
		{"NO", true, false, "Norvēģija"},
		{"IS", true, false, "Islande"},
		{"LI", true, false, "Lihtenšteina"},
		{"HU", true, false, "Ungārija"},
		{"US", false, true, "Amerikas Savienotās Valstis"}, // Data Privacy Framework participants only
		{"CA", false, true, "Kanāda"},                      // PIPEDA-covered organisations only
		{"GB", false, true, "Apvienotā Karaliste"},
		{"CH", false, true, "Šveice"},
		{"JP", false, true, "Japāna"},
		{"KR", false, true, "Dienvidkoreja"},
		{"BR", false, true, "Brazīlija"},
		{"FO", false, true, "Fēru salas"},
		{"IN", false, false, "Indija"},
		{"UA", false, false, "Ukraina"},
		{"RU", false, false, "Krievija"},
		{"CN", false, false, "Ķīna"},
		{"GL", false, false, "Grenlande"},
		{"GI", false, false, "Gibraltārs"},
	}
	for _, tt := range tests {
		c, ok := LookupCountry(tt.code)
		if !ok {
			t.Errorf("%s: missing", tt.code)
			continue
		}
		if c.EEA != tt.eea || c.Adequacy != tt.adequacy {
			t.Errorf("%s: EEA %v adequacy %v; want %v %v", tt.code, c.EEA, c.Adequacy, tt.eea, tt.adequacy)
		}
		if c.NameLV != tt.nameLV {
			t.Errorf("%s: NameLV %q, want %q", tt.code, c.NameLV, tt.nameLV)
		}
	}
	var adequate []string
	for _, c := range Countries() {
		if c.Adequacy {
			adequate = append(adequate, c.Code)
		}
	}
	want := []string{"AD", "AR", "BR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "US", "UY"}
	if !slices.Equal(adequate, want) {
		t.Errorf("adequacy list %v, want %v", adequate, want)
	}
}

func TestCountryLookupMisses(t *testing.T) {
	for _, code := range []string{"", "lv", "Lv", "LVA", "EU", "UK", "XK", "ZZ", " LV"} {
		if c, ok := LookupCountry(code); ok {
			t.Errorf("LookupCountry(%q) = %+v; want a miss", code, c)
		}
	}
	for _, c := range Countries() {
		if strings.TrimSpace(c.Name) != c.Name {
			t.Errorf("%s: name %q has stray spaces", c.Code, c.Name)
		}
	}
}
