package scenario

import (
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/retention"
)

// TestRetentionAttributes: the events that concern dated data carry
// retention_from and the lawful requests request_ref, every one valid:
// call reviews and complaints with a few percent past §22's six months,
// invoices dated the day they are issued, and disclosures to authorities
// that share a request number with the look-up before them, some of data
// older than 18 months. No other event carries them.
func TestRetentionAttributes(t *testing.T) {
	const events = 300_000
	g := newGen(t, Config{Seed: 5, Subjects: 3000, Start: testStart, End: testEnd, Events: events})
	var (
		reviews, reviewsPast, invoices, disclosures, disclosuresOld int
		lookup                                                      string // the request number of the look-up just before
	)
	for i := range events {
		e := g.Next()
		if err := e.Validate(testEnd); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		from, dated := e.Attributes[lineage.AttrRetentionFrom]
		ref, hasRef := e.Attributes[lineage.AttrRequestRef]
		if _, ok := e.Attributes[lineage.AttrRetentionRule]; ok {
			t.Fatalf("event %d of %s names a retention rule: no simulated operation overrides the categories' rules", i, e.Attributes[ScenarioAttr])
		}
		scenario := e.Attributes[ScenarioAttr]
		switch scenario {
		case "contact_centre.call_review", "crm.complaint":
			if !dated || hasRef {
				t.Fatalf("event %d of %s: retention_from %q, request_ref %q", i, scenario, from, ref)
			}
			reviews++
			for _, j := range retention.Judge(retention.Of(&e)) {
				if j.Rule == "recordings_6m" && j.Status == retention.Exceeded {
					reviewsPast++
					break
				}
			}
		case "billing.invoice_einvoice", "billing.invoice_paper":
			if !dated || hasRef || from != e.OccurredAt.UTC().Format(time.DateOnly) {
				t.Fatalf("event %d of %s at %s: retention_from %q, request_ref %q; want the day of the invoice", i, scenario, e.OccurredAt, from, ref)
			}
			invoices++
		case "cdr_mediation.lawful_request":
			if !dated || !hasRef {
				t.Fatalf("event %d of %s: retention_from %q, request_ref %q", i, scenario, from, ref)
			}
			// An operation's steps come one after the other.
			if e.Kind == lineage.Access {
				lookup = ref
				continue
			}
			if ref != lookup {
				t.Fatalf("event %d: disclosure answers request %q, its look-up %q", i, ref, lookup)
			}
			disclosures++
			day, err := retention.ParseDay(from)
			if err != nil {
				t.Fatal(err)
			}
			if retention.MonthsLater(day, 18).Before(retention.Day(e.OccurredAt)) {
				disclosuresOld++
			}
		default:
			if dated || hasRef {
				t.Fatalf("event %d of %s: retention_from %q, request_ref %q", i, scenario, from, ref)
			}
		}
	}
	t.Logf("%d reviews, %d past 6 months; %d invoice events; %d disclosures, %d of data older than 18 months",
		reviews, reviewsPast, invoices, disclosures, disclosuresOld)
	if share := float64(reviewsPast) / float64(reviews); reviews < 1000 || share < 0.02 || share > 0.07 {
		t.Errorf("%d of %d reviews past 6 months, want a few percent", reviewsPast, reviews)
	}
	if invoices < 1000 {
		t.Errorf("%d invoice events", invoices)
	}
	if disclosures < 50 || disclosuresOld == 0 || disclosuresOld > disclosures/5 {
		t.Errorf("%d of %d disclosures of data older than 18 months, want some", disclosuresOld, disclosures)
	}
}

// TestNewRejectsBadAgeBands: the bands of a step's ages must share out all
// its events over ages that make sense.
func TestNewRejectsBadAgeBands(t *testing.T) {
	day := 24 * time.Hour
	for name, bands := range map[string][]AgeBand{
		"no share":         {{Share: 0, Max: day}, {Share: 1, Max: day}},
		"more than all":    {{Share: 1.5, Max: day}},
		"not all":          {{Share: 0.5, Max: day}, {Share: 0.4, Max: day}},
		"too many":         {{Share: 0.6, Max: day}, {Share: 0.6, Max: day}},
		"negative age":     {{Share: 1, Min: -day, Max: day}},
		"ending too early": {{Share: 1, Min: 2 * day, Max: day}},
	} {
		scenarios := Catalogue()
		scenarios[0].Steps[0].RetentionFrom = bands
		cfg := Config{Seed: 1, Subjects: 10, Start: testStart, End: testEnd, Events: 10, Scenarios: scenarios, Keyer: testKeyer(t)}
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted bands %+v", name, bands)
		}
	}
}
