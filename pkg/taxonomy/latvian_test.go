package taxonomy

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// sameInLatvian lists, per catalogue, the codes whose Latvian name is spelled
// as the English one. Only countries have such names; the list is checked
// both ways, so it stays exact.
var sameInLatvian = map[string][]string{
	"countries": {"AO", "AW", "HT", "KI", "MD", "ML", "MT", "NR", "NU", "PA", "PE", "PW", "TG", "TK", "TO", "TV", "UG", "VU", "WS"},
}

type namePair struct{ code, en, lv string }

// latvianCases views every catalogue, countries included, through its names.
func latvianCases() map[string][]namePair {
	out := make(map[string][]namePair)
	for _, tc := range catalogueCases() {
		for _, term := range tc.terms() {
			out[tc.name] = append(out[tc.name], namePair{term.Code, term.Name, term.NameLV})
		}
	}
	for _, c := range Countries() {
		out["countries"] = append(out["countries"], namePair{c.Code, c.Name, c.NameLV})
	}
	return out
}

func TestLatvianNames(t *testing.T) {
	cases := latvianCases()
	for name := range sameInLatvian {
		if _, ok := cases[name]; !ok {
			t.Errorf("sameInLatvian names %q, which is no catalogue", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		pairs := cases[name]
		t.Run(name, func(t *testing.T) {
			same := sameInLatvian[name]
			alike := 0
			byName := make(map[string]string, len(pairs))
			for _, p := range pairs {
				if p.lv == "" {
					t.Errorf("%s: no NameLV", p.code)
					continue
				}
				if strings.TrimSpace(p.lv) != p.lv || strings.Contains(p.lv, "  ") {
					t.Errorf("%s: NameLV %q has stray spaces", p.code, p.lv)
				}
				// Reports print NameLV as a label.
				if r, _ := utf8.DecodeRuneInString(p.lv); !unicode.IsUpper(r) {
					t.Errorf("%s: NameLV %q does not start with a capital", p.code, p.lv)
				}
				listed := slices.Contains(same, p.code)
				switch {
				case p.lv == p.en && listed:
					alike++
				case p.lv == p.en:
					t.Errorf("%s: NameLV %q is the English name", p.code, p.lv)
				case listed:
					t.Errorf("%s: listed as spelled alike, but NameLV %q differs from Name %q", p.code, p.lv, p.en)
				}
				if other, ok := byName[p.lv]; ok {
					t.Errorf("%s and %s share NameLV %q", other, p.code, p.lv)
				}
				byName[p.lv] = p.code
			}
			if alike != len(same) {
				t.Errorf("%d names spelled alike, but sameInLatvian lists %d codes", alike, len(same))
			}
		})
	}
}

// TestCategoryNamesLVAreAnnexWording pins each category's NameLV to the
// category name of annex 1 of the 2025 policy, copied here from the Latvian
// text in annex order.
func TestCategoryNamesLVAreAnnexWording(t *testing.T) {
	annex := []string{
		"Personas identifikācijas dati",
		"Personas kontaktinformācija",
		"Īpašo kategoriju dati (sensitīvie)",
		"Personas kontaktpersonu dati",
		"Klienta dati",
		"Mans Balticom dati",
		"Klienta analītikas dati",
		"Pakalpojuma dati",
		"Gala iekārtu dati",
		"Pakalpojuma līguma dati",
		"Darījuma dati",
		"CRM aktivitātes dati",
		"Komunikācijas dati",
		"Preces pirkuma dati",
		"Pakalpojuma pirkuma dati",
		"Nomaksas pirkuma dati",
		"Maksātspējas pārbaudes dati",
		"Norēķinu dati",
		"Pakalpojuma lietošanas dati",
		"Bojājumu dati",
		"Iebildumu/pieteikumu dati",
		"Klientu aptauju dati",
		"Balticom interneta vietnēs veiktās darbības",
		"Fotogrāfijas un attēli",
		"Video dati",
		"Sarunu ierakstu dati",
		"Pieejas dati sistēmām",
		"Piekrišanu informācija",
		"Atrašanās vietas dati",
		"Tīkla informācija",
		"Pakalpojuma lietošanas (noslodzes) dati",
		"TV pakalpojuma lietošanas dati",
	}
	cats := Categories()
	if len(cats) != len(annex) {
		t.Fatalf("got %d categories, annex 1 has %d", len(cats), len(annex))
	}
	for i, c := range cats {
		if c.NameLV != annex[i] {
			t.Errorf("cat. %d (%s): NameLV %q, annex 1 says %q", i+1, c.Code, c.NameLV, annex[i])
		}
	}
}

// TestTransferMechanismNamesLVAreGDPRWording pins the Latvian names to the
// wording of the Latvian text of the GDPR: the titles of Art. 45 ("lēmums par
// aizsardzības līmeņa pietiekamību"), Art. 47 and Art. 49, and point (c) of
// Art. 46(2).
func TestTransferMechanismNamesLVAreGDPRWording(t *testing.T) {
	want := map[string]string{
		"adequacy_decision":            "Lēmums par aizsardzības līmeņa pietiekamību",
		"standard_contractual_clauses": "Standarta datu aizsardzības klauzulas",
		"binding_corporate_rules":      "Saistošie uzņēmuma noteikumi",
		"art49_derogation":             "Atkāpes īpašās situācijās",
	}
	mechanisms := TransferMechanisms()
	if len(mechanisms) != len(want) {
		t.Errorf("got %d mechanisms, want %d", len(mechanisms), len(want))
	}
	for _, m := range mechanisms {
		if m.NameLV != want[m.Code] {
			t.Errorf("%s: NameLV %q, want %q", m.Code, m.NameLV, want[m.Code])
		}
	}
}
