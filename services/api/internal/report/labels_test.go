package report

import (
	"bytes"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// TestBothLanguagesHaveEveryLabel: every label of one language is in the
// other, formats take the same verbs, and texts are translated.
func TestBothLanguagesHaveEveryLabel(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	lv, en := reflect.ValueOf(labelsLV), reflect.ValueOf(labelsEN)
	// Labels that read the same in both languages.
	same := map[string]bool{"PeriodStatedF": true}
	for i := range lv.NumField() {
		name := lv.Type().Field(i).Name
		var a, b []string
		switch f := lv.Field(i); f.Kind() {
		case reflect.String:
			a, b = []string{f.String()}, []string{en.Field(i).String()}
		case reflect.Slice:
			a, b = f.Interface().([]string), en.Field(i).Interface().([]string)
		default:
			t.Fatalf("%s: a label is a string or a list of strings", name)
		}
		if len(a) == 0 || len(a) != len(b) {
			t.Errorf("%s: lv has %d texts, en %d", name, len(a), len(b))
			continue
		}
		for j := range a {
			switch {
			case a[j] == "" || b[j] == "":
				t.Errorf("%s[%d] is empty in a language", name, j)
			case a[j] == b[j] && !same[name]:
				t.Errorf("%s[%d] is not translated: %q", name, j, a[j])
			case !slices.Equal(verbs.FindAllString(a[j], -1), verbs.FindAllString(b[j], -1)):
				t.Errorf("%s[%d]: lv verbs %q, en %q", name, j, a[j], b[j])
			}
		}
	}
}

// TestLanguagesDoNotMix renders both reports and looks for each language's
// headings in its own report only.
func TestLanguagesDoNotMix(t *testing.T) {
	headings := func(l labels) []string {
		return []string{l.SummaryHead, l.HeadHolds, l.HeadPurposes, l.HeadCategories, l.HeadRecipients, l.HeadRetention, l.HeadRights,
			l.HeadComplaint, l.HeadSources, l.HeadAutomated, l.HeadSafeguards, l.HeadConsultations, l.HeadTimeline, l.HeadRows,
			l.HeadWithheld, l.HeadIntegrity}
	}
	for _, tc := range []struct {
		lang       string
		own, other labels
	}{{"lv", labelsLV, labelsEN}, {"en", labelsEN, labelsLV}} {
		r := build(t, fixture(), fixtureOptions(tc.lang))
		var page bytes.Buffer
		if err := WriteHTML(&page, r); err != nil {
			t.Fatal(err)
		}
		html := htmlText(t, page.Bytes())
		for _, h := range headings(tc.own) {
			if !strings.Contains(html, h) {
				t.Errorf("%s report lacks its heading %q", tc.lang, h)
			}
		}
		for _, h := range headings(tc.other) {
			if strings.Contains(html, h) {
				t.Errorf("%s report has the other language's heading %q", tc.lang, h)
			}
		}
	}
}

// TestLatvianNames: a Latvian report names codes in Latvian, from the
// taxonomy's NameLV (annex 1 in the policy's own words), and cites the
// annex and the GDPR in Latvian.
func TestLatvianNames(t *testing.T) {
	r := build(t, fixture(), fixtureOptions("lv"))
	if got := r.Categories[0].Category; got.Code != "identification" || got.Name != "Personas identifikācijas dati" ||
		got.Cite != "pielikums Nr. 1, 1. kategorija" {
		t.Errorf("annex 1, cat. 1 in Latvian: %+v", got)
	}
	us, _ := taxonomy.LookupCountry("US")
	if us.NameLV == "" || r.Recipients[0].Country.Name != us.NameLV {
		t.Errorf("country in Latvian %q, taxonomy %q", r.Recipients[0].Country.Name, us.NameLV)
	}
	if m := r.Recipients[0].Mechanism; m.Cite != "VDAR 46. panta 2. punkta c) apakšpunkts" {
		t.Errorf("GDPR cite in Latvian: %+v", m)
	}
	// Every name the Latvian report takes from the taxonomy is its NameLV
	// wherever the taxonomy has one.
	check := func(what string, n Named, find func(string) (taxonomy.Term, bool)) {
		if term, ok := find(n.Code); ok && term.NameLV != "" && n.Name != term.NameLV {
			t.Errorf("%s %s: %q, want NameLV %q", what, n.Code, n.Name, term.NameLV)
		}
	}
	category := func(code string) (taxonomy.Term, bool) { c, ok := taxonomy.LookupCategory(code); return c.Term, ok }
	retention := func(code string) (taxonomy.Term, bool) {
		c, ok := taxonomy.LookupRetentionRule(code)
		return c.Term, ok
	}
	for _, p := range r.Purposes {
		check("purpose", p.Purpose, taxonomy.LookupPurpose)
		for _, b := range p.Bases {
			check("basis", b.Basis, taxonomy.LookupLegalBasis)
			if b.Interest != nil {
				check("interest", *b.Interest, taxonomy.LookupLegitimateInterest)
			}
		}
	}
	for _, c := range r.Categories {
		check("category", c.Category, category)
	}
	for _, l := range r.Retention.Lines {
		check("retention rule", l.Rule, retention)
	}
	for _, l := range r.Recipients {
		check("recipient category", l.Category, taxonomy.LookupRecipientCategory)
		if l.Mechanism != nil {
			check("mechanism", *l.Mechanism, taxonomy.LookupTransferMechanism)
		}
	}
	for _, row := range r.Rows {
		check("source system", row.Source, taxonomy.LookupSourceSystem)
	}
}
