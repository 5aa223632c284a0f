package report

import (
	"fmt"
	"testing"
	"time"
)

// The fixture: one customer's events whose right answers are known. Event
// ids name what they are; the comments give the answers the tests expect.
const (
	subject = "C00012345"

	evSwedbank1   = "e01-swedbank-jan"       // transfer, billing → Swedbank AS (LV)
	evRiga        = "e03-riga-msisdn"        // processor hand-off → SIA Rīgas Ūdens Ķēde, found via msisdn
	evSwedbank2   = "e02-swedbank-feb"       // transfer, billing → Swedbank AS
	evAcmeSCC     = "e04-acme-scc"           // hand-off → Acme Cloud Inc. (US), standard contractual clauses
	evPolice      = "e06-category-only"      // transfer to law enforcement, category only, with a reason
	evAgent       = "e07-agent-lookup"       // access by a call-centre agent, employee E-4711, access request AR-2025-0042
	evAcmeAdequ   = "e05-acme-adequacy"      // hand-off → Acme Cloud Inc. (US), adequacy decision
	evRestricted  = "e08-restricted-active"  // transfer under a restriction in force: withheld
	evLapsed      = "e09-restriction-lapsed" // transfer whose restriction lapsed: shown
	evAutomated   = "e10-automated"          // access by the credit-scoring system, an automated decision
	employee      = "E-4711"
	accessRequest = "AR-2025-0042"

	rigaName    = "SIA Rīgas Ūdens Ķēde"
	acmeName    = "Acme Cloud Inc."
	debtName    = "SIA Parādu Piedziņa"
	swedName    = "Swedbank AS"
	policeName  = "Valsts policija"
	policeBasis = "Kriminālprocesa likums, 192. pants"
	lapsedBasis = "Operatīvās darbības likums, 17. pants"
	policeWhy   = "Pieprasījums saskaņā ar Elektronisko sakaru likuma 71. pantu"
	decision    = "instalment purchase refused: credit-risk score below threshold"
)

var (
	fixtureNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// shownInOrder are the events the subject's report shows, oldest first.
	shownInOrder = []string{evSwedbank1, evRiga, evSwedbank2, evAcmeSCC, evPolice, evAgent, evAcmeAdequ, evLapsed, evAutomated}
	fixtureGap   = IdentityWindow{Kind: "msisdn", From: day0(2025, 10, 1), To: day0(2025, 11, 1)}
)

func day0(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(m time.Month, d, h int) time.Time { return time.Date(2025, m, d, h, 30, 0, 0, time.UTC) }

func fixture() []Event {
	bank := func(id string, when time.Time, offset int64, cats ...string) Event {
		return Event{ID: id, Kind: kindTransfer, OccurredAt: when, RecordedAt: when.Add(time.Second), SourceSystem: "billing",
			ActorType: "service_account", ActorID: "svc-billing-payments", DataCategories: cats, Purpose: "service_provision",
			LegalBasis: "contract", RecipientID: "rcp-bank-swedbank", RecipientName: swedName, RecipientCategory: "bank",
			RecipientCountry: "LV", Partition: 3, Offset: offset}
	}
	acme := func(id string, when time.Time, mechanism string, offset int64) Event {
		return Event{ID: id, Kind: kindHandoff, OccurredAt: when, RecordedAt: when, SourceSystem: "third_country_processor",
			ActorType: "system", ActorID: "acme-noc", DataCategories: []string{"traffic_data"}, Purpose: "security",
			LegalBasis: "legitimate_interest", LegitimateInterest: "7.20", RecipientID: "rcp-acme-us", RecipientName: acmeName,
			RecipientCategory: "processor", RecipientCountry: "US", TransferMechanism: mechanism, Partition: 3, Offset: offset}
	}
	e01 := bank(evSwedbank1, at(1, 10, 9), 100, "billing", "identification")
	copyOfE01 := e01 // a redelivered copy, stored again
	copyOfE01.Offset = 101
	return []Event{
		bank(evSwedbank2, at(2, 11, 9), 140, "billing"),
		e01,
		{ID: evRiga, Kind: kindHandoff, OccurredAt: at(1, 20, 14), RecordedAt: at(1, 20, 15), SourceSystem: "network_inventory",
			ActorType: "service_account", ActorID: "svc-netinv", DataCategories: []string{"service", "location"}, Purpose: "service_provision",
			LegalBasis: "contract", RecipientID: "rcp-riga-water", RecipientName: rigaName, RecipientCategory: "processor",
			RecipientCountry: "LV", ResolvedVia: "msisdn", Partition: 7, Offset: 55},
		acme(evAcmeSCC, at(3, 5, 2), "standard_contractual_clauses", 180),
		acme(evAcmeAdequ, at(6, 15, 2), "adequacy_decision", 220),
		{ID: evPolice, Kind: kindTransfer, OccurredAt: at(4, 1, 11), RecordedAt: at(4, 1, 11), SourceSystem: "cdr_mediation",
			ActorType: "employee_role", ActorID: "lawful_request_officer", DataCategories: []string{"traffic_data", "identification"},
			Purpose: "legal_obligation", LegalBasis: "legal_obligation", RecipientCategory: "law_enforcement", RecipientCountry: "LV",
			Attributes: map[string]string{"reason": policeWhy}, Partition: 3, Offset: 200},
		{ID: evAgent, Kind: kindAccess, OccurredAt: at(5, 2, 10), RecordedAt: at(5, 2, 10), SourceSystem: "crm",
			ActorType: "employee_role", ActorID: "call_centre_agent", Employee: employee, DataCategories: []string{"identification", "contact"},
			Purpose: "service_provision", LegalBasis: "contract", Attributes: map[string]string{"access_request_id": accessRequest},
			Partition: 3, Offset: 210},
		{ID: evRestricted, Kind: kindTransfer, OccurredAt: at(7, 1, 8), RecordedAt: at(7, 1, 8), SourceSystem: "cdr_mediation",
			ActorType: "employee_role", ActorID: "lawful_request_officer", Employee: "E-0001", DataCategories: []string{"traffic_data"},
			Purpose: "legal_obligation", LegalBasis: "legal_obligation", RecipientID: "rcp-vp", RecipientName: policeName,
			RecipientCategory: "law_enforcement", RecipientCountry: "LV",
			Restriction: &Restriction{Basis: policeBasis, ReviewAt: day0(2026, 9, 1)}, Partition: 3, Offset: 260},
		{ID: evLapsed, Kind: kindTransfer, OccurredAt: at(8, 1, 8), RecordedAt: at(8, 1, 8), SourceSystem: "billing",
			ActorType: "service_account", ActorID: "svc-collections", DataCategories: []string{"billing", "identification"},
			Purpose: "credit_and_debt", LegalBasis: "legitimate_interest", LegitimateInterest: "7.27", RecipientID: "rcp-debt",
			RecipientName: debtName, RecipientCategory: "debt_collector", RecipientCountry: "LV",
			Restriction: &Restriction{Basis: lapsedBasis, ReviewAt: day0(2026, 1, 1)}, Partition: 3, Offset: 240},
		{ID: evAutomated, Kind: kindAccess, OccurredAt: at(9, 10, 16), RecordedAt: at(9, 10, 16), SourceSystem: "billing",
			ActorType: "system", ActorID: "credit-scoring", DataCategories: []string{"solvency_check"}, Purpose: "credit_and_debt",
			LegalBasis: "contract", Attributes: map[string]string{"automated_decision": decision}, Partition: 3, Offset: 250},
		copyOfE01,
	}
}

func fixtureOptions(lang string) Options {
	return Options{SubjectID: subject, Language: lang, Now: fixtureNow, Withheld: []IdentityWindow{fixtureGap}}
}

func build(t testing.TB, events []Event, opt Options) *Report {
	t.Helper()
	r, err := Build(events, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// bigFixture is a customer with n events over three years: every kind,
// twenty recipients (two outside the EEA), the source systems, categories.
func bigFixture(n int) []Event {
	systems := []string{"crm", "billing", "network_inventory", "tv_usage", "cdr_mediation", "self_service_portal", "contact_centre"}
	cats := []string{"identification", "contact", "customer", "service", "billing", "service_usage", "traffic_data", "tv_usage", "location"}
	purposes := []string{"service_provision", "credit_and_debt", "planning_analytics", "security", "legal_obligation"}
	start := day0(2023, 1, 1)
	out := make([]Event, n)
	for i := range out {
		e := Event{
			ID:             fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			OccurredAt:     start.Add(time.Duration(i) * (3 * 365 * 24 * time.Hour / time.Duration(n))),
			SourceSystem:   systems[i%len(systems)],
			ActorType:      "service_account",
			ActorID:        "svc-" + systems[i%len(systems)],
			DataCategories: []string{cats[i%len(cats)], cats[(i/3)%len(cats)]},
			Purpose:        purposes[i%len(purposes)],
			LegalBasis:     "contract",
			Partition:      int32(i % 3),
			Offset:         int64(i),
		}
		e.RecordedAt = e.OccurredAt.Add(time.Second)
		switch i % 3 {
		case 0:
			e.Kind = kindAccess
			e.ActorType, e.ActorID, e.Employee = "employee_role", "call_centre_agent", fmt.Sprintf("E-%04d", i%50)
		case 1:
			e.Kind = kindTransfer
			r := i % 20
			e.RecipientID, e.RecipientName, e.RecipientCategory, e.RecipientCountry = fmt.Sprintf("rcp-%02d", r), fmt.Sprintf("SIA Saņēmējs Nr. %02d", r), "bank", "LV"
			if r < 2 {
				e.RecipientCountry, e.TransferMechanism = "US", "standard_contractual_clauses"
			}
		default:
			e.Kind = kindHandoff
			e.RecipientID, e.RecipientName, e.RecipientCategory, e.RecipientCountry = "rcp-proc", "SIA Apstrādātājs", "processor", "LV"
		}
		if i%97 == 0 {
			e.Attributes = map[string]string{"access_request_id": fmt.Sprintf("AR-%d", i)}
		}
		out[i] = e
	}
	return out
}
