package report

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

func TestBuildGivesEveryArt15Item(t *testing.T) {
	r := build(t, fixture(), fixtureOptions("en"))

	if r.View != ViewSubject || r.SubjectID != subject || r.Window.Text != labelsEN.WindowAll {
		t.Fatalf("head: view %q subject %q window %q", r.View, r.SubjectID, r.Window.Text)
	}
	if r.Controller.RegNo != "40003443452" || !strings.Contains(r.Controller.Text, "Straupes iela 5/k-3") {
		t.Errorf("controller %+v", r.Controller)
	}

	t.Run("summary", func(t *testing.T) {
		want := map[string]int{"events": 9, "recipients": 5, "third_country_recipients": 1, "categories": 7, "purposes": 4,
			"consultations": 2, "automated_decisions": 1}
		for _, c := range r.Summary.Counts {
			if want[c.Key] != c.Value {
				t.Errorf("count %s = %d, want %d", c.Key, c.Value, want[c.Key])
			}
			delete(want, c.Key)
		}
		if len(want) != 0 || len(r.Summary.Layers) != 3 || !strings.Contains(r.Summary.Holds, "9") {
			t.Errorf("summary: missing counts %v, layers %d, holds %q", want, len(r.Summary.Layers), r.Summary.Holds)
		}
	})

	t.Run("(a) purposes with legal bases", func(t *testing.T) {
		want := []struct {
			code  string
			bases []string
			ids   []string
		}{
			{"service_provision", []string{"contract"}, []string{evSwedbank1, evRiga, evSwedbank2, evAgent}},
			{"credit_and_debt", []string{"contract", "legitimate_interest/7.27"}, []string{evLapsed, evAutomated}},
			{"security", []string{"legitimate_interest/7.20"}, []string{evAcmeSCC, evAcmeAdequ}},
			{"legal_obligation", []string{"legal_obligation"}, []string{evPolice}},
		}
		if len(r.Purposes) != len(want) {
			t.Fatalf("%d purposes: %+v", len(r.Purposes), r.Purposes)
		}
		for i, w := range want {
			p := r.Purposes[i]
			if p.Purpose.Code != w.code || !slices.Equal(basisCodes(p.Bases), w.bases) || !slices.Equal(p.EventIDs, w.ids) || p.Events != len(w.ids) {
				t.Errorf("purpose %d: %s %v %v, want %+v", i, p.Purpose.Code, basisCodes(p.Bases), p.EventIDs, w)
			}
		}
		if r.Purposes[0].Purpose.Cite != "§5.1" || r.Purposes[0].Purpose.Name != "Provision of services and sale of goods" {
			t.Errorf("purpose named %+v", r.Purposes[0].Purpose)
		}
	})

	t.Run("(b) categories in annex order", func(t *testing.T) {
		var codes []string
		for _, c := range r.Categories {
			codes = append(codes, c.Category.Code)
		}
		if want := []string{"identification", "contact", "service", "solvency_check", "billing", "location", "traffic_data"}; !slices.Equal(codes, want) {
			t.Fatalf("categories %v, want %v", codes, want)
		}
		id := r.Categories[0]
		if id.Events != 4 || !slices.Equal(id.EventIDs, []string{evSwedbank1, evPolice, evAgent, evLapsed}) || id.Category.Cite != "annex 1, cat. 1" {
			t.Errorf("identification line %+v", id)
		}
	})

	t.Run("(c) recipients by legal name, 15(2) safeguards", func(t *testing.T) {
		type line struct {
			display, country, mechanism, first, last string
			third                                    bool
			ids                                      []string
		}
		var got []line
		for _, l := range r.Recipients {
			got = append(got, line{l.Display(), l.Country.Code, l.mechanismCode(), day(l.First), day(l.Last), l.ThirdCountry, l.EventIDs})
		}
		police := recipientCategoryName(t, "law_enforcement")
		want := []line{
			{acmeName, "US", "standard_contractual_clauses", "2025-03-05", "2025-03-05", true, []string{evAcmeSCC}},
			{acmeName, "US", "adequacy_decision", "2025-06-15", "2025-06-15", true, []string{evAcmeAdequ}},
			{police, "LV", "", "2025-04-01", "2025-04-01", false, []string{evPolice}},
			{debtName, "LV", "", "2025-08-01", "2025-08-01", false, []string{evLapsed}},
			{rigaName, "LV", "", "2025-01-20", "2025-01-20", false, []string{evRiga}},
			{swedName, "LV", "", "2025-01-10", "2025-02-11", false, []string{evSwedbank1, evSwedbank2}},
		}
		if !slices.EqualFunc(got, want, func(a, b line) bool {
			return a.display == b.display && a.country == b.country && a.mechanism == b.mechanism && a.first == b.first &&
				a.last == b.last && a.third == b.third && slices.Equal(a.ids, b.ids)
		}) {
			t.Fatalf("recipients\n got %+v\nwant %+v", got, want)
		}
		categoryOnly := r.Recipients[2]
		if categoryOnly.Name != "" || !slices.Equal(categoryOnly.Reasons, []string{policeWhy}) || categoryOnly.ReasonMissing {
			t.Errorf("a category-only line carries its recorded reason: %+v", categoryOnly)
		}
		swed := r.Recipients[5]
		if !slices.Equal(namedCodes(swed.Categories), []string{"identification", "billing"}) || !slices.Equal(namedCodes(swed.Kinds), []string{kindTransfer}) ||
			!slices.Equal(namedCodes(swed.Purposes), []string{"service_provision"}) || !slices.Equal(basisCodes(swed.Bases), []string{"contract"}) {
			t.Errorf("Swedbank line %+v", swed)
		}
		if len(r.Safeguards) != 2 || r.Safeguards[0].Mechanism.Code != "standard_contractual_clauses" || r.Safeguards[1].Mechanism.Code != "adequacy_decision" ||
			r.Safeguards[0].Recipient != acmeName || day(r.Safeguards[1].From) != "2025-06-15" || !slices.Equal(r.Safeguards[1].EventIDs, []string{evAcmeAdequ}) {
			t.Errorf("safeguards %+v", r.Safeguards)
		}
		for _, l := range r.Recipients {
			if l.Name == policeName {
				t.Errorf("the restricted disclosure to %s is shown", policeName)
			}
		}
	})

	t.Run("(d) retention per category, criteria where no period is stated", func(t *testing.T) {
		if len(r.Retention.Lines) != len(r.Categories) || len(r.Retention.Criteria) == 0 || r.Retention.Note == "" {
			t.Fatalf("retention %+v", r.Retention)
		}
		for _, l := range r.Retention.Lines {
			cat, _ := taxonomy.LookupCategory(l.Category.Code)
			rule, _ := taxonomy.LookupRetentionRule(cat.Retention)
			if l.Rule.Code != rule.Code || !strings.HasPrefix(l.Text, rule.Name) {
				t.Errorf("%s: rule %s %q, want the taxonomy's %s", l.Category.Code, l.Rule.Code, l.Text, rule.Code)
			}
			stated := rule.MinPeriod > 0 || rule.MaxPeriod > 0
			if l.PeriodStated != stated || strings.Contains(l.Text, "No fixed period") == stated {
				t.Errorf("%s: period stated %v, text %q", l.Category.Code, l.PeriodStated, l.Text)
			}
		}
		// Known answers: identification has no stated period (§20.2), billing follows the invoices' 5 years (§20.3).
		byCode := map[string]RetentionLine{}
		for _, l := range r.Retention.Lines {
			byCode[l.Category.Code] = l
		}
		if l := byCode["identification"]; l.PeriodStated || l.Rule.Cite != "§20.2" {
			t.Errorf("identification retention %+v", l)
		}
		if l := byCode["billing"]; !l.PeriodStated || l.Rule.Cite != "§20.3" || !slices.Equal(l.EventIDs, []string{evSwedbank1, evSwedbank2, evLapsed}) {
			t.Errorf("billing retention %+v", l)
		}
	})

	t.Run("(e) rights, (f) complaint", func(t *testing.T) {
		rights := strings.Join(r.Rights.Paragraphs, " ")
		for _, s := range []string{"§26", "§28", "§30", "secure electronic signature", "Mans Balticom"} {
			if !strings.Contains(rights, s) {
				t.Errorf("rights lack %q", s)
			}
		}
		complaint := strings.Join(r.Complaint.Paragraphs, " ")
		for _, s := range []string{"§31", "§32", "klients@balticom.info", "Data State Inspectorate", "Elijas iela 17, Rīga, LV-1050", "www.dvi.gov.lv"} {
			if !strings.Contains(complaint, s) {
				t.Errorf("complaint lacks %q", s)
			}
		}
		if strings.Index(complaint, "§31") > strings.Index(complaint, "§32") {
			t.Error("the complaint goes to Balticom first (§31), then to the Inspectorate (§32)")
		}
	})

	t.Run("(g) sources other than the subject", func(t *testing.T) {
		type line struct {
			source, system string
			ids            []string
		}
		var got []line
		for _, l := range r.Sources.Lines {
			got = append(got, line{l.Source.Code, l.System.Code, l.EventIDs})
		}
		want := []line{
			{"16.2", "billing", []string{evSwedbank1, evSwedbank2, evLapsed, evAutomated}},
			{"16.2", "cdr_mediation", []string{evPolice}},
			{"16.2", "network_inventory", []string{evRiga}},
			{"16.5", "third_country_processor", []string{evAcmeSCC, evAcmeAdequ}},
		}
		if !slices.EqualFunc(got, want, func(a, b line) bool {
			return a.source == b.source && a.system == b.system && slices.Equal(a.ids, b.ids)
		}) {
			t.Errorf("sources\n got %+v\nwant %+v", got, want)
		}
		if len(r.Sources.Policy) != 7 || !strings.HasPrefix(r.Sources.Policy[6], "16.6.") || r.Sources.Note == "" {
			t.Errorf("the §16 list and the note: %q / %q", r.Sources.Policy, r.Sources.Note)
		}
	})

	t.Run("(h) automated decisions", func(t *testing.T) {
		a := r.Automated
		if len(a.Lines) != 1 || a.Lines[0].EventID != evAutomated || a.Lines[0].Decision != decision || a.None != "" {
			t.Errorf("automated %+v", a)
		}
		if policy := strings.Join(a.Policy, " "); !strings.Contains(policy, "§10") || !strings.Contains(policy, "§11") || !strings.Contains(policy, "§12") {
			t.Errorf("policy statement %q", policy)
		}
		none := build(t, fixture()[:2], fixtureOptions("en")).Automated
		if len(none.Lines) != 0 || none.None != labelsEN.AutomatedNone {
			t.Errorf("without decisions: %+v", none)
		}
	})

	t.Run("consultations", func(t *testing.T) {
		if len(r.Consultations) != 2 {
			t.Fatalf("consultations %+v", r.Consultations)
		}
		c := r.Consultations[0]
		if c.EventID != evAgent || c.AccessRequestID != accessRequest || c.Role != "call_centre_agent" || c.ActorType.Code != "employee_role" ||
			c.Source.Code != "crm" || c.Purpose.Code != "service_provision" || c.Employee != "" || !c.OccurredAt.Equal(at(5, 2, 10)) {
			t.Errorf("agent's consultation %+v", c)
		}
		if r.Consultations[1].EventID != evAutomated || r.Consultations[1].Source.Code != "billing" {
			t.Errorf("system's consultation %+v", r.Consultations[1])
		}
	})

	t.Run("time line", func(t *testing.T) {
		var got []string
		for _, e := range r.Timeline {
			got = append(got, e.Month+" "+e.Kind.Code+" "+e.Counterpart+" "+strings.Join(e.EventIDs, ","))
		}
		police := recipientCategoryName(t, "law_enforcement")
		want := []string{
			"2025-01 transfer " + swedName + " " + evSwedbank1,
			"2025-01 processor_handoff " + rigaName + " " + evRiga,
			"2025-02 transfer " + swedName + " " + evSwedbank2,
			"2025-03 processor_handoff " + acmeName + " " + evAcmeSCC,
			"2025-04 transfer " + police + " " + evPolice,
			"2025-05 access Customer relationship management system " + evAgent,
			"2025-06 processor_handoff " + acmeName + " " + evAcmeAdequ,
			"2025-08 transfer " + debtName + " " + evLapsed,
			"2025-09 access Billing and settlement system " + evAutomated,
		}
		if !slices.Equal(got, want) {
			t.Errorf("time line\n got %q\nwant %q", got, want)
		}
	})

	t.Run("rows", func(t *testing.T) {
		var got []string
		for _, row := range r.Rows {
			got = append(got, row.EventID)
			if row.Employee != "" || row.Restriction != nil {
				t.Errorf("%s: the subject's row shows employee %q or restriction %+v", row.EventID, row.Employee, row.Restriction)
			}
		}
		if !slices.Equal(got, shownInOrder) {
			t.Fatalf("rows %v, want %v", got, shownInOrder)
		}
		riga := r.Rows[1]
		if riga.ResolvedVia == nil || riga.ResolvedVia.Code != "msisdn" || riga.Recipient == nil || riga.Recipient.Name != rigaName ||
			riga.Partition != 7 || riga.Offset != 55 || !riga.RecordedAt.Equal(at(1, 20, 15)) || r.Rows[0].ResolvedVia != nil {
			t.Errorf("row of the event found via msisdn %+v", riga)
		}
		if acme := r.Rows[3]; acme.Recipient.Mechanism.Code != "standard_contractual_clauses" || acme.Basis.Interest.Code != "7.20" {
			t.Errorf("Acme row %+v", acme)
		}
	})

	t.Run("withheld", func(t *testing.T) {
		w := r.Withheld
		if !slices.Equal(w.Bases, []string{policeBasis}) || len(w.BasesText) != 1 || !strings.Contains(w.BasesText[0], policeBasis) {
			t.Errorf("withheld bases %+v", w)
		}
		if rest := strings.Replace(w.BasesText[0], policeBasis, "", 1); strings.ContainsAny(rest, "0123456789") {
			t.Errorf("the withheld text tells a date or a count: %q", w.BasesText[0])
		}
		if len(w.Identity) != 1 || w.Identity[0].Kind.Code != "msisdn" || !w.Identity[0].From.Equal(fixtureGap.From) ||
			!strings.Contains(w.Identity[0].Text, "2025-10-01") || !strings.Contains(w.Identity[0].Text, "phone number") {
			t.Errorf("identity windows %+v", w.Identity)
		}
	})

	t.Run("position and hash", func(t *testing.T) {
		// 3:260 is the withheld event's: the position counts every event read.
		want := []PartitionOffset{{3, 260}, {7, 55}}
		if !slices.Equal(r.Position.Partitions, want) || !r.ComputedAt.Equal(fixtureNow) {
			t.Errorf("position %+v, want %+v", r.Position, want)
		}
		if h := ContentHash(r); h != r.Hash || len(h) != 64 {
			t.Errorf("hash %q, recomputed %q", r.Hash, h)
		}
	})
}

func TestRestrictions(t *testing.T) {
	ids := func(r *Report) []string {
		var out []string
		for _, row := range r.Rows {
			out = append(out, row.EventID)
		}
		return out
	}
	t.Run("the DPO sees every restricted line, marked", func(t *testing.T) {
		opt := fixtureOptions("en")
		opt.IncludeRestricted = true
		r := build(t, fixture(), opt)
		if r.View != ViewDPO || !slices.Contains(ids(r), evRestricted) || len(r.Withheld.Bases) != 0 {
			t.Fatalf("DPO view: rows %v, withheld %v", ids(r), r.Withheld.Bases)
		}
		for _, row := range r.Rows {
			switch row.EventID {
			case evRestricted:
				if n := row.Restriction; n == nil || !n.Active || n.Basis != policeBasis || !n.ReviewAt.Equal(day0(2026, 9, 1)) || row.Employee != "E-0001" {
					t.Errorf("restricted row %+v", row)
				}
			case evLapsed:
				if n := row.Restriction; n == nil || n.Active || n.Basis != lapsedBasis {
					t.Errorf("lapsed row %+v", row)
				}
			}
		}
		if len(r.Restricted) != 2 || r.Restricted[0].Basis != policeBasis || !slices.Equal(r.Restricted[0].EventIDs, []string{evRestricted}) {
			t.Errorf("restricted lines %+v", r.Restricted)
		}
		var police *RecipientLine
		for i := range r.Recipients {
			if r.Recipients[i].Name == policeName {
				police = &r.Recipients[i]
			}
		}
		if police == nil || len(police.Restrictions) != 1 || !police.Restrictions[0].Active {
			t.Errorf("the DPO's recipient line of the restricted transfer: %+v", police)
		}
		if r.Consultations[0].Employee != employee {
			t.Errorf("the DPO sees who consulted: %+v", r.Consultations[0])
		}
	})
	t.Run("a restriction shows its line once it lapses", func(t *testing.T) {
		opt := fixtureOptions("en")
		opt.Now = day0(2026, 9, 1) // ReviewAt <= Now
		r := build(t, fixture(), opt)
		if !slices.Contains(ids(r), evRestricted) || len(r.Withheld.Bases) != 0 {
			t.Errorf("after review: rows %v, withheld %v", ids(r), r.Withheld.Bases)
		}
		opt.Now = day0(2026, 8, 31)
		if r := build(t, fixture(), opt); slices.Contains(ids(r), evRestricted) {
			t.Error("shown before the review date")
		}
	})
	t.Run("a restricted event outside the window is not mentioned", func(t *testing.T) {
		opt := fixtureOptions("en")
		from := day0(2025, 7, 15)
		opt.From = &from
		r := build(t, fixture(), opt)
		if len(r.Withheld.Bases) != 0 || !slices.Equal(ids(r), []string{evLapsed, evAutomated}) {
			t.Errorf("window from %s: rows %v, withheld %v", from, ids(r), r.Withheld.Bases)
		}
		if !slices.Equal(r.Position.Partitions, []PartitionOffset{{3, 260}, {7, 55}}) {
			t.Errorf("the position counts every event read: %+v", r.Position)
		}
	})
}

func TestHashFollowsContentOnly(t *testing.T) {
	base := build(t, fixture(), fixtureOptions("en")).Hash

	shuffled := fixture()
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	later := fixtureOptions("en")
	later.Now = fixtureNow.Add(24 * time.Hour) // nothing lapses in between
	changed := fixture()
	changed[0].Purpose = "planning_analytics"
	dpo := fixtureOptions("en")
	dpo.IncludeRestricted = true
	lapsed := fixtureOptions("en")
	lapsed.Now = day0(2026, 10, 1)
	for _, tc := range []struct {
		name   string
		events []Event
		opt    Options
		same   bool
	}{
		{"same events in another order", shuffled, fixtureOptions("en"), true},
		{"computed a day later", fixture(), later, true},
		{"another purpose", changed, fixtureOptions("en"), false},
		{"one event fewer", fixture()[1:], fixtureOptions("en"), false},
		{"the DPO's view", fixture(), dpo, false},
		{"Latvian", fixture(), fixtureOptions("lv"), false},
		{"after the restriction lapsed", fixture(), lapsed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := build(t, tc.events, tc.opt).Hash; (got == base) != tc.same {
				t.Errorf("hash %s, base %s, want same=%v", got, base, tc.same)
			}
		})
	}
}

func TestBuildRejectsOptions(t *testing.T) {
	from, to := day0(2025, 2, 1), day0(2025, 1, 1)
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want error
	}{
		{"language", func(o *Options) { o.Language = "de" }, ErrLanguage},
		{"subject", func(o *Options) { o.SubjectID = "" }, ErrOptions},
		{"now", func(o *Options) { o.Now = time.Time{} }, ErrOptions},
		{"window", func(o *Options) { o.From, o.To = &from, &to }, ErrOptions},
	} {
		opt := fixtureOptions("en")
		tc.edit(&opt)
		if _, err := Build(fixture(), opt); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestMissingReasonIsFlagged(t *testing.T) {
	e := fixtureEvent(t, evPolice) // the category-only transfer
	e.Attributes = nil
	r := build(t, []Event{e}, fixtureOptions("en"))
	if l := r.Recipients[0]; !l.ReasonMissing || len(l.Reasons) != 0 || labelsEN.reasonText(l) != labelsEN.NoReason {
		t.Errorf("line without a recorded reason %+v", l)
	}
}

func TestRequestReferenceNotShown(t *testing.T) {
	e := fixtureEvent(t, evPolice)
	e.Attributes = map[string]string{"reason": "court order", lineage.AttrRequestRef: "VP-2026-17"}
	r := build(t, []Event{e}, fixtureOptions("en"))
	for _, row := range r.Rows {
		if _, ok := row.Attributes[lineage.AttrRequestRef]; ok || row.Attributes["reason"] != "court order" {
			t.Errorf("row attributes %v: the authority's request number shown, or the reason lost", row.Attributes)
		}
	}
	if len(r.Rows) == 0 {
		t.Fatal("no rows")
	}
}

func TestEverySourceSystemHasAPolicySource(t *testing.T) {
	for _, s := range taxonomy.SourceSystems() {
		if policySource(s.Code) == "" {
			t.Errorf("source system %s maps to no §16 source", s.Code)
		}
	}
}

func fixtureEvent(t *testing.T, id string) Event {
	t.Helper()
	for _, e := range fixture() {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no event %s in the fixture", id)
	return Event{}
}

func basisCodes(bs []Basis) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Basis.Code
		if b.Interest != nil {
			out[i] += "/" + b.Interest.Code
		}
	}
	return out
}

func namedCodes(ns []Named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Code
	}
	return out
}

// recipientCategoryName is the English name of a recipient category.
func recipientCategoryName(t *testing.T, code string) string {
	t.Helper()
	c, ok := taxonomy.LookupRecipientCategory(code)
	if !ok {
		t.Fatalf("no recipient category %s", code)
	}
	return c.Name
}
