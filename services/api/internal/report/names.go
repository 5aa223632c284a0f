package report

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// namer names codes in the report's language. The Latvian names come from
// the taxonomy's NameLV; where one is still empty the English name stands
// in, so that a report is never missing a name.
type namer struct {
	lv bool
	l  *labels
}

func (n namer) termName(t taxonomy.Term) string {
	if n.lv && t.NameLV != "" {
		return t.NameLV
	}
	return t.Name
}

func (n namer) term(t taxonomy.Term) Named {
	return Named{Code: t.Code, Name: n.termName(t), Cite: n.cite(t.Cite)}
}

// gdprCite matches the taxonomy's citations of the GDPR: "GDPR Art. 46(2)(c)".
var gdprCite = regexp.MustCompile(`^GDPR Art\. (\d+)(?:\((\d+)\))?(?:\(([a-z])\))?$`)

// cite gives a citation in the report's language, or none for the project's
// own codes (source systems). The taxonomy cites in the
// digest's English style; a Latvian report says "pielikums Nr. 1" (the
// annex's own title) and cites the GDPR as VDAR articles. The policy's
// sections (§5.1) read the same in both languages.
func (n namer) cite(c string) string {
	if strings.HasPrefix(c, "project:") {
		return "" // the project's own code: nothing a reader could look up
	}
	if !n.lv {
		return c
	}
	if cat, ok := strings.CutPrefix(c, "annex 1, cat. "); ok {
		return "pielikums Nr. 1, " + cat + ". kategorija"
	}
	m := gdprCite.FindStringSubmatch(c)
	switch {
	case m == nil:
		return c
	case m[2] == "":
		return "VDAR " + m[1] + ". pants"
	case m[3] == "":
		return "VDAR " + m[1] + ". panta " + m[2] + ". punkts"
	}
	return "VDAR " + m[1] + ". panta " + m[2] + ". punkta " + m[3] + ") apakšpunkts"
}

// lookup names a code of a catalogue, or gives the code itself when the
// catalogue does not know it (a code of a later taxonomy than this build's).
func (n namer) lookup(code string, find func(string) (taxonomy.Term, bool)) Named {
	if t, ok := find(code); ok {
		return n.term(t)
	}
	return Named{Code: code, Name: code}
}

func (n namer) purpose(code string) Named { return n.lookup(code, taxonomy.LookupPurpose) }
func (n namer) source(code string) Named  { return n.lookup(code, taxonomy.LookupSourceSystem) }
func (n namer) recipientCategory(code string) Named {
	return n.lookup(code, taxonomy.LookupRecipientCategory)
}

func (n namer) category(code string) Named {
	if c, ok := taxonomy.LookupCategory(code); ok {
		return n.term(c.Term)
	}
	return Named{Code: code, Name: code}
}

func (n namer) basis(basis, interest string) Basis {
	b := Basis{Basis: n.lookup(basis, taxonomy.LookupLegalBasis)}
	if interest != "" {
		i := n.lookup(interest, taxonomy.LookupLegitimateInterest)
		b.Interest = &i
	}
	return b
}

// mechanism is nil when no mechanism was recorded.
func (n namer) mechanism(code string) *Named {
	if code == "" {
		return nil
	}
	m := n.lookup(code, taxonomy.LookupTransferMechanism)
	return &m
}

// country names a country; a code the taxonomy does not know counts as
// outside the EEA, the cautious side. An empty code is no country and no
// third country.
func (n namer) country(code string) (Named, bool) {
	if code == "" {
		return Named{}, false
	}
	c, ok := taxonomy.LookupCountry(code)
	if !ok {
		return Named{Code: code, Name: code}, true
	}
	name := c.Name
	if n.lv && c.NameLV != "" {
		name = c.NameLV
	}
	return Named{Code: c.Code, Name: name}, !c.EEA
}

func (n namer) kind(code string) Named {
	name := code
	switch code {
	case kindAccess:
		name = n.l.KindAccess
	case kindTransfer:
		name = n.l.KindTransfer
	case kindHandoff:
		name = n.l.KindHandoff
	}
	return Named{Code: code, Name: name}
}

func (n namer) actorType(code string) Named {
	name := code
	switch code {
	case "service_account":
		name = n.l.ActorService
	case "employee_role":
		name = n.l.ActorEmployee
	case "system":
		name = n.l.ActorSystem
	}
	return Named{Code: code, Name: name}
}

func (n namer) identifier(code string) Named {
	name := code
	switch code {
	case "msisdn":
		name = n.l.IdentMSISDN
	case "ip_address":
		name = n.l.IdentIP
	case "contract":
		name = n.l.IdentContract
	case "device":
		name = n.l.IdentDevice
	}
	return Named{Code: code, Name: name}
}

// The event kinds.
const (
	kindAccess   = "access"
	kindTransfer = "transfer"
	kindHandoff  = "processor_handoff"
)

// order gives each code of a catalogue its place, so that lists follow the
// policy's order (annex order for categories, §5 order for purposes).
type order map[string]int

func orderOf[T any](items []T, code func(T) string) order {
	o := make(order, len(items))
	for i, it := range items {
		o[code(it)] = i
	}
	return o
}

// sortNamed sorts names in catalogue order; codes the catalogue does not
// know follow, by code.
func (o order) sortNamed(ns []Named) {
	slices.SortFunc(ns, func(a, b Named) int { return o.compare(a.Code, b.Code) })
}

func (o order) compare(a, b string) int {
	ia, oka := o[a]
	ib, okb := o[b]
	switch {
	case oka && okb:
		return cmp.Compare(ia, ib)
	case oka:
		return -1
	case okb:
		return 1
	}
	return cmp.Compare(a, b)
}

var (
	categoryOrder = orderOf(taxonomy.Categories(), func(c taxonomy.Category) string { return c.Code })
	purposeOrder  = orderOf(taxonomy.Purposes(), func(t taxonomy.Term) string { return t.Code })
	basisOrder    = orderOf(taxonomy.LegalBases(), func(t taxonomy.Term) string { return t.Code })
	interestOrder = orderOf(taxonomy.LegitimateInterests(), func(t taxonomy.Term) string { return t.Code })
	kindOrder     = order{kindAccess: 0, kindTransfer: 1, kindHandoff: 2}
)
