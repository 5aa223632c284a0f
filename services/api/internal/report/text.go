package report

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The texts the human-readable renderings (CSV, HTML, PDF) share. Every
// time is printed in UTC, ISO 8601 style, in both languages.

func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// period prints the days from first to last, one day once.
func period(first, last time.Time) string {
	if day(first) == day(last) {
		return day(first)
	}
	return day(first) + " – " + day(last)
}

// cited prints a name with where the policy defines it.
func cited(n Named) string {
	if n.Cite == "" {
		return n.Name
	}
	return n.Name + " (" + n.Cite + ")"
}

func names(ns []Named) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name
	}
	return strings.Join(out, "; ")
}

func citedNames(ns []Named) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = cited(n)
	}
	return strings.Join(out, "; ")
}

func ids(ids []string) string { return strings.Join(ids, ", ") }

func (l *labels) basisText(b Basis) string {
	s := cited(b.Basis)
	if b.Interest != nil {
		s += "; " + fmt.Sprintf(l.InterestF, b.Interest.Code) + ": " + b.Interest.Name
	}
	return s
}

func (l *labels) basesText(bs []Basis) string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = l.basisText(b)
	}
	return strings.Join(out, " | ")
}

func (l *labels) mechanismText(m *Named) string {
	if m == nil {
		return l.NoMechanism
	}
	return cited(*m)
}

func (l *labels) countryText(c Named, third bool) string {
	if c.Code == "" {
		return ""
	}
	s := c.Name + " (" + c.Code + ")"
	if third {
		s += ", " + l.ThirdCountry
	}
	return s
}

func (l *labels) viewText(r *Report) string {
	if r.View == ViewDPO {
		return l.ViewDPO
	}
	return l.ViewSubject
}

func (l *labels) noteText(n RestrictionNote) string {
	state := l.Lapsed
	if n.Active {
		state = l.Active
	}
	return fmt.Sprintf("%s: %s; %s: %s (%s)", l.RestrictedMark, n.Basis, l.ColReviewAt, day(n.ReviewAt), state)
}

func (l *labels) notesText(ns []RestrictionNote) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = l.noteText(n)
	}
	return strings.Join(out, " | ")
}

// reasonText is what a line that names only the recipient's category says
// about why the data were disclosed.
func (l *labels) reasonText(r RecipientLine) string {
	if r.Name != "" {
		return ""
	}
	reasons := slices.Clone(r.Reasons)
	if r.ReasonMissing {
		reasons = append(reasons, l.NoReason)
	}
	return strings.Join(reasons, "; ")
}

func (l *labels) positionText(p Position) string {
	if len(p.Partitions) == 0 {
		return l.PositionNone
	}
	out := make([]string, len(p.Partitions))
	for i, po := range p.Partitions {
		out[i] = fmt.Sprintf("%d:%d", po.Partition, po.Offset)
	}
	return strings.Join(out, ", ")
}

func (l *labels) accessRequestText(id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf(l.AccessRequestF, id)
}

// attributesText prints the attributes sorted by key.
func attributesText(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + ": " + attrs[k]
	}
	return strings.Join(out, "; ")
}

func (l *labels) recipientRowText(r *RowRecipient) string {
	if r == nil {
		return ""
	}
	parts := []string{}
	if r.Name != "" {
		parts = append(parts, r.Name)
	}
	if r.ID != "" {
		parts = append(parts, "["+r.ID+"]")
	}
	parts = append(parts, r.Category.Name)
	if r.Country.Code != "" {
		parts = append(parts, r.Country.Name+" ("+r.Country.Code+")")
	}
	if r.Mechanism != nil {
		parts = append(parts, r.Mechanism.Name)
	}
	return strings.Join(parts, "; ")
}
