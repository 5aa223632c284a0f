package register

import (
	"slices"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// Filter narrows the register to the activities a question is about: each
// field empty leaves that side open. The same filter gives the API's JSON
// answer and its CSV and XLSX exports, so that an export holds exactly the
// rows on screen.
type Filter struct {
	Purpose, LegalBasis string
	// DataCategory keeps the activities that process the category.
	DataCategory string
	// RecipientCategory keeps the activities with a recipient of the
	// category, and of their recipients only those.
	RecipientCategory string
	// SourceSystem keeps the activities that cover the system's events.
	SourceSystem string
}

// FilterError names the filter's field whose code the taxonomy does not
// know.
type FilterError struct{ Field, Rule string }

func (e *FilterError) Error() string { return e.Field + ": " + e.Rule }

// Validate checks every code of the filter against the taxonomy and
// returns a *FilterError for the first unknown one.
func (f Filter) Validate() error {
	for _, c := range []struct {
		field, code, rule string
		known             func(string) bool
	}{
		{"purpose", f.Purpose, "must be a purpose code of the policy (§5), e.g. service_provision",
			func(c string) bool { _, ok := taxonomy.LookupPurpose(c); return ok }},
		{"legal_basis", f.LegalBasis, "must be a legal basis code of the policy (§6), e.g. contract",
			func(c string) bool { _, ok := taxonomy.LookupLegalBasis(c); return ok }},
		{"data_category", f.DataCategory, "must be a data category code of the policy (annex 1), e.g. billing",
			func(c string) bool { _, ok := taxonomy.LookupCategory(c); return ok }},
		{"recipient_category", f.RecipientCategory, "must be a recipient category code, e.g. processor",
			func(c string) bool { _, ok := taxonomy.LookupRecipientCategory(c); return ok }},
		{"source_system", f.SourceSystem, "must be a source system code, e.g. crm",
			func(c string) bool { _, ok := taxonomy.LookupSourceSystem(c); return ok }},
	} {
		if c.code != "" && !c.known(c.code) {
			return &FilterError{Field: c.field, Rule: c.rule}
		}
	}
	return nil
}

// Empty reports whether the filter keeps everything.
func (f Filter) Empty() bool { return f == Filter{} }

// Apply returns a copy of r with the activities the filter keeps, in
// register order; r is not modified. An empty filter returns r itself.
func (f Filter) Apply(r *Register) *Register {
	if f.Empty() {
		return r
	}
	out := *r
	out.Activities = nil
	for _, a := range r.Activities {
		switch {
		case f.Purpose != "" && a.Purpose != f.Purpose,
			f.LegalBasis != "" && a.LegalBasis != f.LegalBasis,
			f.DataCategory != "" && !slices.Contains(a.DataCategories, f.DataCategory),
			f.SourceSystem != "" && !slices.Contains(a.SourceSystems, f.SourceSystem):
			continue
		}
		if f.RecipientCategory != "" {
			var kept []Recipient
			for _, rc := range a.Recipients {
				if rc.Category == f.RecipientCategory {
					kept = append(kept, rc)
				}
			}
			if len(kept) == 0 {
				continue
			}
			a.Recipients = kept
		}
		out.Activities = append(out.Activities, a)
	}
	if out.Activities == nil {
		out.Activities = []Activity{}
	}
	return &out
}
