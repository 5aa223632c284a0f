package scenario

import (
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

// TestDataSources: the events name where their data came from (policy
// §16) as an operator's would, every one valid. Most are the customer's or
// the operator's systems' data; credit-history answers, partners' reports,
// register checks and intrusion alerts appear now and then; the systems
// that do not say (the bank payment files, the processors abroad) name
// none, and every other event names one.
func TestDataSources(t *testing.T) {
	const events = 300_000
	g := newGen(t, Config{Seed: 11, Subjects: 5000, Start: testStart, End: testEnd, Events: events})
	silent := map[string]bool{
		"billing.bank_payment":        true,
		"third_country.crm_vendor_in": true,
		"third_country.helpdesk_gb":   true,
		"third_country.tv_vendor_jp":  true,
	}
	// Where the data came from follows from the operation (see the
	// catalogue): a few pinned here, the credit check's answer below.
	pinned := map[string]string{
		"crm.card_open":                     "customer",
		"cdr_mediation.rating":              "operator_systems",
		"tv_usage.viewing":                  "operator_systems",
		"network_inventory.intrusion_alert": "intrusion_detection",
		"network_inventory.work_report":     "partners",
		"crm.business_check":                "public_registers",
	}
	bySource := map[string]int{}
	none := 0
	for i := range events {
		e := g.Next()
		if err := e.Validate(testEnd); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		scenario := e.Attributes[ScenarioAttr]
		src, named := e.Attributes[lineage.AttrDataSource]
		if named == silent[scenario] {
			t.Fatalf("event %d of %s: data_source %q named %v, want named %v", i, scenario, src, named, !silent[scenario])
		}
		if !named {
			none++
			continue
		}
		bySource[src]++
		want := pinned[scenario]
		if e.Kind == lineage.Access && scenario == "billing.credit_check" {
			want = "credit_history"
		}
		if want != "" && src != want {
			t.Fatalf("event %d of %s: data_source %s, want %s", i, scenario, src, want)
		}
	}
	t.Logf("data sources of %d events: %v, none %d", events, bySource, none)
	for _, ds := range taxonomy.DataSources() {
		if bySource[ds.Code] == 0 {
			t.Errorf("data source %s never appears", ds.Code)
		}
	}
	// The customer and the operator's systems are where nearly all data
	// come from; the others are occasional, intrusion alerts the rarest.
	if bulk := bySource["customer"] + bySource["operator_systems"]; bulk < events*8/10 {
		t.Errorf("customer and operator_systems name %d of %d events, want most", bulk, events)
	}
	if n := bySource["intrusion_detection"]; n > events/100 {
		t.Errorf("%d intrusion alerts in %d events, want now and then", n, events)
	}
	if none == 0 || none > events/10 {
		t.Errorf("%d of %d events without data_source, want some", none, events)
	}
}

// TestNewRejectsUnknownDataSource: a step's data source must be a code of
// §16, checked when the catalogue is compiled.
func TestNewRejectsUnknownDataSource(t *testing.T) {
	for _, code := range []string{"website", "crm", "Customer"} {
		scenarios := Catalogue()
		scenarios[0].Steps[0].DataSource = code
		cfg := Config{Seed: 1, Subjects: 10, Start: testStart, End: testEnd, Events: 10, Scenarios: scenarios, Keyer: testKeyer(t)}
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "attributes.data_source") {
			t.Errorf("data source %q: New returned %v, want the broken rule", code, err)
		}
	}
}
