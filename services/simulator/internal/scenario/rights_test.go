package scenario

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
)

// pass is one whole pass of a generator with its facts, taken as the
// command takes them: the facts due by each event before it, the rest at
// the end.
type pass struct {
	g        *Generator
	events   []lineage.Event
	subjects []string // the customer each event is about (Generator.Subject)
	facts    []subjectfact.Fact
}

func playPass(t testing.TB, cfg Config) pass {
	t.Helper()
	g := newGen(t, cfg)
	plan := g.Facts()
	p := pass{g: g, events: make([]lineage.Event, 0, cfg.Events), subjects: make([]string, 0, cfg.Events)}
	for range cfg.Events {
		e := g.Next()
		for due := plan.Due(e.OccurredAt, 100); len(due) > 0; due = plan.Due(e.OccurredAt, 100) {
			for _, f := range due {
				if f.RecordedAt.After(e.OccurredAt) {
					t.Fatalf("fact %s recorded at %s, due before the event at %s", f.ID, f.RecordedAt, e.OccurredAt)
				}
			}
			p.facts = append(p.facts, due...)
		}
		p.events = append(p.events, e)
		p.subjects = append(p.subjects, g.Subject())
	}
	for rest := plan.Rest(100); len(rest) > 0; rest = plan.Rest(100) {
		p.facts = append(p.facts, rest...)
	}
	if !plan.Done() {
		t.Fatal("the fact plan is not done after Rest")
	}
	return p
}

// uses are the flags' view of the pass's events, by the customer meant
// (an event known by an identifier counts for its holder, as the store
// resolves it).
func (p pass) uses() map[string][]subjectfact.Use {
	out := map[string][]subjectfact.Use{}
	for i, e := range p.events {
		out[p.subjects[i]] = append(out[p.subjects[i]], subjectfact.Use{
			EventID: e.ID, OccurredAt: e.OccurredAt, Kind: e.Kind, Purpose: e.Purpose, LegalBasis: e.LegalBasis})
	}
	return out
}

// factsBySubject groups the pass's facts by subject.
func (p pass) factsBySubject() map[string][]subjectfact.Fact {
	out := map[string][]subjectfact.Fact{}
	for _, f := range p.facts {
		out[f.SubjectID] = append(out[f.SubjectID], f)
	}
	return out
}

func isMarketing(e *lineage.Event) bool {
	return strings.HasPrefix(e.Attributes[ScenarioAttr], "crm.offer_")
}

// TestMarketingOps checks CRM's marketing operations against the policy:
// the §43 basis for e-mail offers only, consent for SMS, personalised
// offers and the analysis for offers.
func TestMarketingOps(t *testing.T) {
	want := map[string]struct {
		purpose, basis, channel string
		contact                 bool
	}{
		"crm.offer_email":        {subjectfact.CommercialCommunication, "similar_offer", "email", true},
		"crm.offer_sms":          {subjectfact.CommercialCommunication, "consent", "sms", true},
		"crm.offer_personalised": {subjectfact.CommercialCommunication, "consent", "email", true},
		"crm.offer_analytics":    {"planning_analytics", "consent", "", false},
	}
	ops := marketingOps()
	if len(ops) != opCount || len(want) != opCount {
		t.Fatalf("%d marketing operations, %d wanted, opCount %d", len(ops), len(want), opCount)
	}
	for _, s := range ops {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("unexpected operation %s", s.Name)
			continue
		}
		if slices.ContainsFunc(Catalogue(), func(c Scenario) bool { return c.Name == s.Name }) {
			t.Errorf("%s is also in the catalogue", s.Name)
		}
		st := s.Steps[0]
		if len(s.Steps) != 1 || s.Source() != LinkSource || st.Kind != lineage.Access || st.Actor.Type != lineage.ServiceAccount ||
			st.Purpose != w.purpose || st.LegalBasis != w.basis || st.Attributes["channel"] != w.channel ||
			slices.Contains(st.Categories, "contact") != w.contact || st.Identify != ByCustomerID {
			t.Errorf("%s: %+v, want %+v", s.Name, st, w)
		}
		steps, err := compile(&s)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		e := steps[0].event("00000000-0000-4000-8000-000000000000", "C00000001", testStart.UnixMicro(), 0, 0, 0)
		if err := e.Validate(testEnd); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// TestMarketingTraffic plays a year: campaigns only where CRM plays, some
// 2 % of the events, messages in office hours on working days and the
// analyses at night, every event valid; nothing of the kind with a
// scenario list of one's own.
func TestMarketingTraffic(t *testing.T) {
	for _, tc := range []struct {
		name               string
		sources            []string
		scenarios          []Scenario
		minShare, maxShare float64 // of the marketing events among all
	}{
		{name: "all sources", minShare: 0.012, maxShare: 0.035},
		{name: "crm alone", sources: []string{"crm"}, minShare: 0.012, maxShare: 0.035},
		{name: "billing alone", sources: []string{"billing"}},
		{name: "a list of one's own", scenarios: Catalogue()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const events = 200_000
			g := newGen(t, Config{Seed: 4, Subjects: 5000, Start: testStart, End: testEnd, Events: events, Sources: tc.sources, Scenarios: tc.scenarios})
			byOp := map[string]int{}
			marketing := 0
			for i := range events {
				e := g.Next()
				if err := e.Validate(testEnd); err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				if !isMarketing(&e) {
					continue
				}
				marketing++
				byOp[e.Attributes[ScenarioAttr]]++
				hour, weekday := e.OccurredAt.Hour(), e.OccurredAt.Weekday()
				r := g.Rights(int(g.n))
				if r.PlannedAt.Equal(e.OccurredAt) || r.Planned != "" && e.OccurredAt.After(r.PlannedAt) && e.OccurredAt.Before(r.PlannedAt.Add(15*24*time.Hour)) {
					continue // a slip takes any operation's time
				}
				if e.Purpose == "planning_analytics" && hour >= 5 ||
					e.Purpose != "planning_analytics" && (hour < 7 || hour >= 17 || weekday == time.Saturday || weekday == time.Sunday) {
					t.Fatalf("event %d: %s at %s, outside its hours", i, e.Attributes[ScenarioAttr], e.OccurredAt)
				}
			}
			share := float64(marketing) / events
			t.Logf("%d marketing events (%.2f %%): %v", marketing, 100*share, byOp)
			if share < tc.minShare || share > tc.maxShare {
				t.Errorf("marketing is %.2f %% of events, want %.1f-%.1f %%", 100*share, 100*tc.minShare, 100*tc.maxShare)
			}
			if tc.maxShare > 0 && len(byOp) != opCount {
				t.Errorf("operations %v: want all %d", byOp, opCount)
			}
		})
	}
}

// TestMarketingLeavesOtherEventsAlone: the model takes operations' places
// without drawing from the rng, so every event keeps its id and time, and
// only the campaigns' and the erased customers' operations differ from a
// run without it.
func TestMarketingLeavesOtherEventsAlone(t *testing.T) {
	const events = 200_000
	cfg := Config{Seed: 1, Subjects: 20_000, Start: testStart, End: testEnd, Events: events}
	with := newGen(t, cfg)
	cfg.Scenarios = Catalogue() // the same operations, no model
	without := newGen(t, cfg)
	var marketing, erased int
	for i := range events {
		a, b := with.Next(), without.Next()
		if a.ID != b.ID || !a.OccurredAt.Equal(b.OccurredAt) {
			t.Fatalf("event %d: %s at %s, without marketing %s at %s", i, a.ID, a.OccurredAt, b.ID, b.OccurredAt)
		}
		switch {
		case reflect.DeepEqual(a, b):
		case isMarketing(&a):
			marketing++
		case a.Attributes[ScenarioAttr] == b.Attributes[ScenarioAttr] && with.Subject() != without.Subject():
			if r := with.Rights(int(without.n)); r.ErasureRequested.IsZero() || a.OccurredAt.Add(time.Hour).Before(r.ErasureRequested) {
				t.Fatalf("event %d of %s given to %s: %+v", i, without.Subject(), with.Subject(), r)
			}
			erased++
		default:
			t.Fatalf("event %d differs:\n%+v\n%+v", i, a, b)
		}
	}
	t.Logf("%d events replaced by marketing, %d given to another customer after an erasure", marketing, erased)
	if marketing == 0 || erased == 0 || marketing+erased > events*4/100 {
		t.Errorf("%d marketing and %d erased customers' events of %d", marketing, erased, events)
	}
}

// TestFlagsAsPlanned runs subjectfact.Flags over every customer's facts
// and events: the flags are exactly the planned ones (an e-mail within 48
// hours of an opt-out, one later, a use of a withdrawn consent), one each,
// and nobody else has any. A sparse run places fewer slips but never the
// wrong one.
func TestFlagsAsPlanned(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		exactly bool // every planned slip is played
	}{
		{"dense, all sources", Config{Seed: 3, Subjects: 20_000, Start: testStart, End: testEnd, Events: 400_000}, true},
		{"crm alone", Config{Seed: 8, Subjects: 20_000, Start: testStart, End: testEnd, Events: 150_000, Sources: []string{"crm"}}, true},
		{"sparse, slips may find no operation in time", Config{Seed: 5, Subjects: 20_000, Start: testStart, End: testEnd, Events: 400}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := playPass(t, tc.cfg)
			uses, facts := p.uses(), p.factsBySubject()
			planned, got := map[subjectfact.FlagKind]int{}, map[subjectfact.FlagKind]int{}
			for n := 1; n <= tc.cfg.Subjects; n++ {
				r := p.g.Rights(n)
				flags := subjectfact.Flags(r.SubjectID, facts[r.SubjectID], uses[r.SubjectID])
				if r.Planned != "" {
					planned[r.Planned]++
				}
				for _, f := range flags {
					got[f.Kind]++
				}
				switch {
				case len(flags) == 0 && (r.Planned == "" || !tc.exactly):
				case len(flags) == 1 && flags[0].Kind == r.Planned && !flags[0].OccurredAt.Before(r.PlannedAt):
					f := flags[0]
					if f.After <= 0 || f.Kind != subjectfact.ConsentAfterWithdrawal && (f.Kind == subjectfact.OptOutException) != (f.After <= subjectfact.OptOutGrace) {
						t.Errorf("%s: %s %s after the fact", r.SubjectID, f.Kind, f.After)
					}
				default:
					t.Errorf("%s (%+v): flags %+v", r.SubjectID, r, flags)
				}
			}
			t.Logf("planned %v, flagged %v", planned, got)
			for _, kind := range []subjectfact.FlagKind{subjectfact.OptOutException, subjectfact.OptOutViolation, subjectfact.ConsentAfterWithdrawal} {
				if planned[kind] == 0 {
					t.Errorf("no customer planned for %s", kind)
				}
				if tc.exactly && got[kind] != planned[kind] {
					t.Errorf("%d %s flags, %d planned", got[kind], kind, planned[kind])
				}
			}
			// The slips are few: most who opt out or withdraw are respected.
			if planned[subjectfact.OptOutException]+planned[subjectfact.OptOutViolation] > tc.cfg.Subjects/500 {
				t.Errorf("%v slips planned for %d customers", planned, tc.cfg.Subjects)
			}
		})
	}
}

// TestNoMarketingAfterOptOut: beyond the planned slip, no commercial
// message reaches a customer after their opt-out or erasure request, and
// a consent-based one only while the consent is in force.
func TestNoMarketingAfterOptOut(t *testing.T) {
	p := playPass(t, Config{Seed: 6, Subjects: 10_000, Start: testStart, End: testEnd, Events: 300_000})
	var beforeOptOut, consentUses int
	for i, e := range p.events {
		if !isMarketing(&e) {
			continue
		}
		r := p.g.Rights(atoi(p.subjects[i][1:]))
		if r.Planned != "" && !e.OccurredAt.Before(r.PlannedAt) {
			continue // the slip, judged by TestFlagsAsPlanned
		}
		if !r.ErasureRequested.IsZero() && !e.OccurredAt.Before(r.ErasureRequested) ||
			!r.OptedOut.IsZero() && !e.OccurredAt.Before(r.OptedOut) {
			t.Fatalf("event %d: %s to %s at %s, after %+v", i, e.Attributes[ScenarioAttr], r.SubjectID, e.OccurredAt, r)
		}
		if !r.OptedOut.IsZero() {
			beforeOptOut++
		}
		if e.LegalBasis != "consent" {
			continue
		}
		consentUses++
		standing := r.MarketingConsent
		if e.Purpose == "planning_analytics" {
			standing = r.AnalyticsConsent
		}
		given := r.ConsentPurpose == e.Purpose && !e.OccurredAt.Before(r.ConsentGiven) && e.OccurredAt.Before(r.ConsentWithdrawn)
		if !standing && !given {
			t.Fatalf("event %d: %s on consent to %s at %s without it: %+v", i, e.Purpose, r.SubjectID, e.OccurredAt, r)
		}
	}
	t.Logf("%d marketing events on consent, %d to customers before they opted out", consentUses, beforeOptOut)
	if consentUses == 0 || beforeOptOut == 0 {
		t.Error("want consent-based marketing and messages before opt-outs")
	}
}

func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// TestErasureFacts: a customer who asked for erasure has no event at or
// after the request; the notices and confirmations name only recipients
// their disclosures reached before it, most of them but not all; so the
// erasure (subjectfact.ErasureOf) shows no disclosure after the request,
// and recipients confirmed, awaiting and never told.
func TestErasureFacts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sources []string
	}{
		{"all sources", nil},
		{"billing alone", []string{"billing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Seed: 3, Subjects: 30_000, Start: testStart, End: testEnd, Events: 600_000, Sources: tc.sources}
			p := playPass(t, cfg)
			received := map[string]map[string]*subjectfact.Received{} // subject → recipient → what it received
			for i, e := range p.events {
				subject := p.subjects[i]
				if e.Recipient == nil {
					continue
				}
				if received[subject] == nil {
					received[subject] = map[string]*subjectfact.Received{}
				}
				r := received[subject][e.Recipient.ID]
				if r == nil {
					r = &subjectfact.Received{RecipientID: e.Recipient.ID, Name: e.Recipient.Name, First: e.OccurredAt}
					received[subject][e.Recipient.ID] = r
				}
				r.Last = e.OccurredAt
				r.Events++
			}
			lastAt := map[string]time.Time{}
			for i, e := range p.events {
				lastAt[p.subjects[i]] = e.OccurredAt
			}
			facts := p.factsBySubject()
			states := map[subjectfact.ErasureState]int{}
			requests, told, recipients := 0, map[string]bool{}, 0
			for n := 1; n <= cfg.Subjects; n++ {
				r := p.g.Rights(n)
				if r.ErasureRequested.IsZero() {
					continue
				}
				if last, ok := lastAt[r.SubjectID]; ok && !last.Before(r.ErasureRequested) {
					t.Errorf("%s asked for erasure at %s, has an event at %s", r.SubjectID, r.ErasureRequested, last)
				}
				var got []subjectfact.Received
				for _, x := range received[r.SubjectID] {
					got = append(got, *x)
				}
				for _, f := range facts[r.SubjectID] {
					if f.Type != subjectfact.ErasureNotified && f.Type != subjectfact.ErasureConfirmed {
						continue
					}
					x, ok := received[r.SubjectID][f.RecipientID]
					if !ok || x.First.After(r.ErasureRequested) || !f.At.After(r.ErasureRequested) {
						t.Errorf("%s: %s to %s at %s, which received %+v", r.SubjectID, f.Type, f.RecipientID, f.At, x)
					}
					if tc.sources != nil && f.SourceSystem != tc.sources[0] {
						t.Errorf("%s: %s recorded by %s in a run of %v", r.SubjectID, f.Type, f.SourceSystem, tc.sources)
					}
					if f.Type == subjectfact.ErasureNotified {
						told[r.SubjectID+"|"+f.RecipientID] = true
					}
				}
				requests++
				recipients += len(got)
				// The request is CRM's to state: without CRM the erasure
				// is not known.
				e, ok := subjectfact.ErasureOf(r.SubjectID, facts[r.SubjectID], got, testEnd)
				if ok != (tc.sources == nil) {
					t.Fatalf("%s: erasure request stated %t in a run of %v", r.SubjectID, ok, tc.sources)
				}
				for _, x := range e.Recipients {
					states[x.State]++
					if x.AfterRequest || x.Events == 0 {
						t.Errorf("%s: %+v", r.SubjectID, x)
					}
				}
			}
			t.Logf("%d requests, %d recipients, %d told: %v", requests, recipients, len(told), states)
			if tc.sources == nil && (requests < 15 || states[subjectfact.Confirmed] == 0 || states[subjectfact.AwaitingConfirmation] == 0 || states[subjectfact.NotNotified] == 0) {
				t.Errorf("%d requests, states %v: want every state", requests, states)
			}
			if recipients == 0 || len(told) < recipients/2 || len(told) == recipients {
				t.Errorf("%d of %d recipients told: want most, not all", len(told), recipients)
			}
		})
	}
}

// TestFactPlan checks every fact of a run: valid, inside the period, in
// due order, each id once; the counts of each type near the planned
// shares; who states them by the sources played.
func TestFactPlan(t *testing.T) {
	type counts map[subjectfact.Type]int
	for _, tc := range []struct {
		name    string
		sources []string
		// Bounds of each type's count, for 20,000 customers over a year.
		min, max counts
	}{
		{"all sources", nil,
			counts{subjectfact.ConsentGiven: 330, subjectfact.ConsentWithdrawn: 330, subjectfact.OptedOut: 160, subjectfact.ErasureRequested: 10,
				subjectfact.ErasureNotified: 3, subjectfact.ErasureConfirmed: 1, subjectfact.LawfulRequestUnmet: 4},
			counts{subjectfact.ConsentGiven: 470, subjectfact.ConsentWithdrawn: 470, subjectfact.OptedOut: 240, subjectfact.ErasureRequested: 35,
				subjectfact.ErasureNotified: 150, subjectfact.ErasureConfirmed: 120, subjectfact.LawfulRequestUnmet: 4}},
		{"crm alone", []string{"crm"},
			counts{subjectfact.ConsentGiven: 330, subjectfact.ConsentWithdrawn: 330, subjectfact.OptedOut: 160, subjectfact.ErasureRequested: 10},
			counts{subjectfact.ConsentGiven: 470, subjectfact.ConsentWithdrawn: 470, subjectfact.OptedOut: 240, subjectfact.ErasureRequested: 35,
				subjectfact.ErasureNotified: 35, subjectfact.ErasureConfirmed: 35}},
		{"cdr mediation alone", []string{"cdr_mediation"},
			counts{subjectfact.LawfulRequestUnmet: 4},
			counts{subjectfact.LawfulRequestUnmet: 4, subjectfact.ErasureNotified: 35, subjectfact.ErasureConfirmed: 35}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Seed: 2, Subjects: 20_000, Start: testStart, End: testEnd, Events: 200_000, Sources: tc.sources}
			p := playPass(t, cfg)
			got := counts{}
			ids := map[string]bool{}
			for i, f := range p.facts {
				if err := f.Validate(testEnd); err != nil {
					t.Fatalf("fact %d: %v", i, err)
				}
				if f.At.Before(testStart) || !f.RecordedAt.Before(testEnd) {
					t.Fatalf("fact %d at %s, recorded %s: outside the period", i, f.At, f.RecordedAt)
				}
				if i > 0 && f.RecordedAt.Before(p.facts[i-1].RecordedAt) {
					t.Fatalf("fact %d recorded at %s, before its predecessor at %s", i, f.RecordedAt, p.facts[i-1].RecordedAt)
				}
				if ids[f.ID] {
					t.Fatalf("fact %d repeats id %s", i, f.ID)
				}
				ids[f.ID] = true
				got[f.Type]++
				switch f.Type {
				case subjectfact.LawfulRequestUnmet:
					if f.RecipientID != StatePolice || f.SourceSystem != "cdr_mediation" || f.SubjectID != "" || !strings.HasPrefix(f.Reference, "LR-") {
						t.Errorf("unmet request %+v", f)
					}
				case subjectfact.ErasureNotified, subjectfact.ErasureConfirmed:
				default:
					if f.SourceSystem != LinkSource {
						t.Errorf("%s recorded by %s, want CRM", f.Type, f.SourceSystem)
					}
				}
			}
			t.Logf("facts: %v", got)
			for _, typ := range subjectfact.Types {
				if got[typ] < tc.min[typ] || got[typ] > tc.max[typ] {
					t.Errorf("%d facts %s, want %d to %d", got[typ], typ, tc.min[typ], tc.max[typ])
				}
			}
		})
	}
	// The State Police is the lawful requests' recipient.
	found := false
	for _, s := range Catalogue() {
		for _, st := range s.Steps {
			found = found || s.Name == "cdr_mediation.lawful_request" && slices.ContainsFunc(st.Recipients, func(r lineage.Recipient) bool { return r.ID == StatePolice })
		}
	}
	if !found {
		t.Errorf("%s receives no lawful request", StatePolice)
	}
}

// TestFactsAreDeterministic: a run states the same facts, ids included,
// each time; a CRM process of a per-source deployment states the same
// consents, opt-outs and requests as a process of all sources; another
// seed or period states other facts.
func TestFactsAreDeterministic(t *testing.T) {
	cfg := Config{Seed: 9, Subjects: 5000, Start: testStart, End: testEnd, Events: 60_000}
	a, b := playPass(t, cfg), playPass(t, cfg)
	if !reflect.DeepEqual(a.facts, b.facts) || !reflect.DeepEqual(a.events, b.events) {
		t.Fatal("two runs of one config disagree")
	}
	crmFacts := func(facts []subjectfact.Fact) []subjectfact.Fact {
		var out []subjectfact.Fact
		for _, f := range facts {
			if f.SourceSystem == LinkSource && f.Type != subjectfact.ErasureNotified && f.Type != subjectfact.ErasureConfirmed {
				out = append(out, f)
			}
		}
		return out
	}
	crm := cfg
	crm.Sources = []string{"crm"}
	if want, got := crmFacts(a.facts), crmFacts(playPass(t, crm).facts); len(want) == 0 || !reflect.DeepEqual(want, got) {
		t.Errorf("a CRM process states %d facts, all sources %d, or they differ", len(got), len(want))
	}
	for name, other := range map[string]Config{
		"seed":   {Seed: 10, Subjects: 5000, Start: testStart, End: testEnd, Events: 60_000},
		"period": {Seed: 9, Subjects: 5000, Start: testStart, End: testEnd.AddDate(0, 0, 1), Events: 60_000},
	} {
		seen := map[string]bool{}
		for _, f := range a.facts {
			seen[f.ID] = true
		}
		for _, f := range playPass(t, other).facts {
			if seen[f.ID] {
				t.Errorf("another %s states fact id %s again", name, f.ID)
			}
		}
	}
}
