package taxonomy

import (
	"slices"
	"time"
)

// Term is one code of a catalogue.
type Term struct {
	// Code is the stable machine code, lowercase snake_case (legitimate
	// interests: the section number, e.g. "7.20"). It never changes.
	Code string
	// Name is a short English name.
	Name string
	// NameLV is the Latvian name, in the policy's own wording where the
	// policy names the term (the Latvian text is the authority), shown to
	// data subjects in Latvian access reports.
	NameLV string
	// Cite says where the code comes from, in the digest's citation style:
	// "annex 1, cat. 18", "§5.2", "§17.1", "2018 [7] 7.1.1",
	// "GDPR Art. 46(2)(c)", or "project: …" for the project's own codes.
	Cite string
	// Note says what is our inference rather than stated by the policy, and
	// anything a reader of Cite alone would get wrong. Empty when the cited
	// text says it all.
	Note string
}

// Category is a personal-data category of annex 1 of the policy.
type Category struct {
	Term
	// Examples are the annex's examples, abbreviated and in English.
	Examples string
	// Retention is the code of the RetentionRule we expect to govern the
	// category. The policy never maps a category to a retention rule: this is
	// our mapping, explained in Note.
	Retention string
	// Special is set when the annex labels the category "Īpašo kategoriju
	// dati (sensitīvie)" (only cat. 3). It is the annex's label, not a
	// classification under GDPR Art. 9.
	Special bool
	// Harm is, for a category whose breach points to particular harm, the
	// harm in English and Latvian, as a notification letter names it;
	// empty for the others. Regulation 611/2013 Art. 3(2)(a) names financial
	// information, special categories, location data, internet log files,
	// web browsing histories, e-mail data and itemised call lists; access
	// credentials and identity documents are added by us. Which category
	// carries which is ours.
	Harm, HarmLV string
}

// RetentionRule is a retention criterion or period of the policy (§20–§23).
type RetentionRule struct {
	Term
	// MinPeriod is how long the data must at least be kept; 0 when the policy
	// states no minimum. Rounded up (see the package doc).
	MinPeriod time.Duration
	// MaxPeriod is the deletion deadline; 0 when the policy sets none.
	// Rounded down (see the package doc).
	MaxPeriod time.Duration
}

// Country is an ISO 3166-1 country or territory.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code, upper case ("LV").
	Code string
	// Name is the short English name.
	Name string
	// NameLV is the short Latvian name ("Vācija"), shown in Latvian access
	// reports.
	NameLV string
	// EEA is set for the 27 EU member states and Iceland, Liechtenstein and
	// Norway: exactly those 30 codes (see countries.go for territories).
	EEA bool
	// Adequacy is set when a European Commission adequacy decision under
	// GDPR Art. 45 is in force for the country (list and date in
	// countries.go). For Canada and the United States the decision covers
	// only some recipients; the recipient must be checked.
	Adequacy bool
}

// catalogue is an immutable list of entries with an index by code.
type catalogue[T any] struct {
	items []T
	index map[string]int
}

// newCatalogue indexes items by code. A repeated code keeps its first entry;
// the tests reject repeats.
func newCatalogue[T any](items []T, code func(T) string) catalogue[T] {
	index := make(map[string]int, len(items))
	for i, it := range items {
		if _, ok := index[code(it)]; !ok {
			index[code(it)] = i
		}
	}
	return catalogue[T]{items: items, index: index}
}

// all returns a copy of the entries, in catalogue order.
func (c catalogue[T]) all() []T { return slices.Clone(c.items) }

// lookup returns the entry with the code, if any.
func (c catalogue[T]) lookup(code string) (T, bool) {
	i, ok := c.index[code]
	if !ok {
		var zero T
		return zero, false
	}
	return c.items[i], true
}

func termCode(t Term) string { return t.Code }

// Calendar periods as durations, rounded as the package doc explains.
const (
	day = 24 * time.Hour

	minOneYear      = 366 * day  // longest calendar year
	minEighteenMons = 550 * day  // longest 18 calendar months: 366 + 184
	minFiveYears    = 1827 * day // longest 5 calendar years: 5×365 + 2 leap days
	maxSixMonths    = 181 * day  // shortest 6 calendar months
	maxTwoYears     = 730 * day  // shortest 2 calendar years
)
