package register

import (
	"errors"
	"slices"
	"testing"
)

func TestFilter(t *testing.T) {
	r, err := Declared()
	if err != nil {
		t.Fatal(err)
	}
	if got := (Filter{}).Apply(r); got != r {
		t.Error("an empty filter copied the register")
	}
	for _, tc := range []struct {
		name string
		f    Filter
		keep func(Activity) bool
	}{
		{"purpose", Filter{Purpose: "service_provision"}, func(a Activity) bool { return a.Purpose == "service_provision" }},
		{"basis", Filter{LegalBasis: "consent"}, func(a Activity) bool { return a.LegalBasis == "consent" }},
		{"category", Filter{DataCategory: "billing"}, func(a Activity) bool { return slices.Contains(a.DataCategories, "billing") }},
		{"source", Filter{SourceSystem: "crm"}, func(a Activity) bool { return slices.Contains(a.SourceSystems, "crm") }},
		{"recipient category", Filter{RecipientCategory: "processor"}, func(a Activity) bool {
			return slices.ContainsFunc(a.Recipients, func(rc Recipient) bool { return rc.Category == "processor" })
		}},
		{"two at once", Filter{Purpose: "service_provision", SourceSystem: "crm"}, func(a Activity) bool {
			return a.Purpose == "service_provision" && slices.Contains(a.SourceSystems, "crm")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.f.Validate(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, a := range r.Activities {
				if tc.keep(a) {
					want = append(want, a.ID)
				}
			}
			var got []string
			for _, a := range tc.f.Apply(r).Activities {
				got = append(got, a.ID)
				if tc.f.RecipientCategory != "" {
					for _, rc := range a.Recipients {
						if rc.Category != tc.f.RecipientCategory {
							t.Errorf("%s keeps recipient %s of category %s", a.ID, rc.ID, rc.Category)
						}
					}
				}
			}
			if len(want) == 0 || len(want) == len(r.Activities) || !slices.Equal(got, want) {
				t.Errorf("activities %v, want %v (some, not all)", got, want)
			}
		})
	}
	var fe *FilterError
	if err := (Filter{Purpose: "service_provision", DataCategory: "dna"}).Validate(); !errors.As(err, &fe) || fe.Field != "data_category" {
		t.Errorf("unknown category: %v", err)
	}
}
