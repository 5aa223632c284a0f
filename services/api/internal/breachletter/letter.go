// Package breachletter writes the letter that tells one data subject of a
// personal-data breach (GDPR Art. 34; for an electronic communications
// provider also Regulation 611/2013 Art. 3), in Latvian or English.
//
// Art. 34(2) asks for the nature of the breach, the DPO's contact, the
// likely consequences and the measures taken. The nature and the measures
// are the DPO's words; which data of this subject were involved, when, and
// what harm each category points to come from the events and the taxonomy
// (taxonomy.Category.Harm, our mapping). A category the subject may not be
// told of yet (a restricted disclosure) never reaches this package: the
// caller passes the notifiable categories only.
package breachletter

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// Letter is what one letter says.
type Letter struct {
	// Lang is "lv" or "en".
	Lang string
	// SubjectID is the customer the letter is addressed to.
	SubjectID string
	// Date is the letter's date.
	Date time.Time
	// Reference is the DPO's reference of the incident.
	Reference string
	// Party names where the breach happened: a recipient's legal name or a
	// source system's name, in the letter's language.
	Party string
	// Nature and Measures are the DPO's own words, in the letter's language.
	Nature, Measures string
	// First and Last are the subject's first and last event in the window.
	First, Last time.Time
	// Categories are the data category codes the subject may be told of.
	Categories []string
	// DPOContact is how to reach the data-protection officer.
	DPOContact string
}

// ErrNothingToTell is returned for a letter with no category to name.
var ErrNothingToTell = errors.New("no data category the subject may be told of")

// text holds a language's fixed sentences.
type text struct {
	title, to, date, reference, what, which, period, harm, noHarm, measures, contact, complaint string
}

var texts = map[string]text{
	"en": {
		title:     "Notice of a personal data breach",
		to:        "To the customer",
		date:      "Date",
		reference: "Our reference",
		what:      "What happened",
		which:     "Your data involved, held by %s",
		period:    "Your data concerned were processed between %s and %s.",
		harm:      "What this may mean for you",
		noHarm:    "These data point to no particular harm; stay alert to messages that use them.",
		measures:  "What we have done and what you can do",
		contact: "Questions: our data protection officer, %s. You may ask us for a copy of what we hold about you and who received it " +
			"(GDPR Art. 15).",
		complaint: "You may complain to Balticom (policy §31) and to the Data State Inspectorate, Elijas iela 17, Rīga, LV-1050, " +
			"www.dvi.gov.lv (§32; GDPR Art. 77).",
	},
	"lv": {
		title:     "Paziņojums par personas datu aizsardzības pārkāpumu",
		to:        "Klientam",
		date:      "Datums",
		reference: "Mūsu atsauce",
		what:      "Kas notika",
		which:     "Jūsu dati, kurus apstrādāja %s",
		period:    "Attiecīgie jūsu dati tika apstrādāti no %s līdz %s.",
		harm:      "Ko tas var nozīmēt jums",
		noHarm:    "Šie dati neliecina par īpašu kaitējumu; esiet uzmanīgi pret ziņām, kurās tie izmantoti.",
		measures:  "Ko esam darījuši un ko varat darīt jūs",
		contact: "Jautājumi: mūsu datu aizsardzības speciālists, %s. Jūs varat pieprasīt informāciju par to, kādi jūsu dati mums ir " +
			"un kas tos saņēmis (Regulas 15. pants).",
		complaint: "Jūs varat iesniegt sūdzību Balticom (politikas 31. punkts) un Datu valsts inspekcijai, Elijas iela 17, Rīga, LV-1050, " +
			"www.dvi.gov.lv (32. punkts; Regulas 77. pants).",
	},
}

// Languages are the languages a letter can be written in.
func Languages() []string { return []string{"lv", "en"} }

// Write writes l as plain UTF-8 text: categories that point to particular
// harm first, each with that harm.
func Write(w io.Writer, l Letter) error {
	t, ok := texts[l.Lang]
	if !ok {
		return fmt.Errorf("letter language %q: must be lv or en", l.Lang)
	}
	if len(l.Categories) == 0 {
		return ErrNothingToTell
	}
	cats := make([]taxonomy.Category, 0, len(l.Categories))
	for _, code := range l.Categories {
		c, ok := taxonomy.LookupCategory(code)
		if !ok {
			return fmt.Errorf("letter: data category %q is not in the taxonomy", code)
		}
		cats = append(cats, c)
	}
	slices.SortStableFunc(cats, func(a, b taxonomy.Category) int {
		return cmp.Compare(harmRank(a), harmRank(b))
	})
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	heading := func(s string) { b.WriteByte('\n'); line(s); line(strings.Repeat("-", len([]rune(s)))) }
	line(t.title)
	line(strings.Repeat("=", len([]rune(t.title))))
	line(t.to + ": " + l.SubjectID)
	line(t.date + ": " + l.Date.UTC().Format(time.DateOnly))
	line(t.reference + ": " + l.Reference)
	heading(t.what)
	line(l.Nature)
	heading(fmt.Sprintf(t.which, l.Party))
	var harmed []string
	for _, c := range cats {
		name, harm := c.Name, c.Harm
		if l.Lang == "lv" {
			name, harm = c.NameLV, c.HarmLV
		}
		line("- " + name)
		if harm != "" {
			harmed = append(harmed, "- "+name+": "+harm)
		}
	}
	line(fmt.Sprintf(t.period, l.First.UTC().Format(time.DateOnly), l.Last.UTC().Format(time.DateOnly)))
	heading(t.harm)
	if len(harmed) == 0 {
		line(t.noHarm)
	}
	for _, h := range harmed {
		line(h)
	}
	heading(t.measures)
	line(l.Measures)
	b.WriteByte('\n')
	line(fmt.Sprintf(t.contact, l.DPOContact))
	line(t.complaint)
	_, err := io.WriteString(w, b.String())
	return err
}

// harmRank puts categories that point to particular harm first.
func harmRank(c taxonomy.Category) int {
	if c.Harm != "" {
		return 0
	}
	return 1
}
