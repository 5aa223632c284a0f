package register

import (
	"reflect"
	"testing"
	"time"
)

// small is a hand-made register: one activity with recipients inside and
// outside the EEA, one without recipients.
func small() *Register {
	return &Register{Activities: []Activity{
		{
			ID: "support", SourceSystems: []string{"crm", "third_country_processor"},
			Purpose: "service_provision", LegalBasis: "contract",
			Recipients: []Recipient{
				{ID: "rcp-installer", Category: "processor", Country: "LV"},
				{ID: "rcp-helpdesk-gb", Category: "processor", Country: "GB", TransferMechanism: "adequacy_decision"},
			},
		},
		{ID: "retained", SourceSystems: []string{"cdr_mediation"}, Purpose: "legal_obligation", LegalBasis: "legal_obligation"},
	}}
}

func TestCompare(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	access := Flow{SourceSystem: "crm", Purpose: "service_provision", LegalBasis: "contract", Events: 10, First: t0, Last: t0}
	installer := Flow{SourceSystem: "crm", Purpose: "service_provision", LegalBasis: "contract",
		RecipientID: "rcp-installer", RecipientCategory: "processor", Country: "LV", Events: 2, First: t0, Last: t0}
	helpdesk := Flow{SourceSystem: "third_country_processor", Purpose: "service_provision", LegalBasis: "contract",
		RecipientID: "rcp-helpdesk-gb", RecipientCategory: "processor", Country: "GB", TransferMechanism: "adequacy_decision", Events: 1, First: t0, Last: t0}
	retained := Flow{SourceSystem: "cdr_mediation", Purpose: "legal_obligation", LegalBasis: "legal_obligation", Events: 5, First: t0, Last: t0}

	with := func(f Flow, edit func(*Flow)) Flow { edit(&f); return f }
	newRecipient := with(installer, func(f *Flow) { f.RecipientID = "rcp-other"; f.Country = "LT" })
	otherPurpose := with(access, func(f *Flow) { f.Purpose = "planning_analytics"; f.LegalBasis = "consent" })
	otherBasis := with(retained, func(f *Flow) { f.LegalBasis = "contract" })
	unknownSource := with(access, func(f *Flow) { f.SourceSystem = "tv_usage" })
	wrongCountry := with(helpdesk, func(f *Flow) { f.Country = "US" })
	wrongMechanism := with(helpdesk, func(f *Flow) { f.TransferMechanism = "standard_contractual_clauses" })

	tests := []struct {
		name     string
		observed []Flow
		want     Differences
	}{
		{"all declared flows match", []Flow{access, installer, helpdesk, retained}, Differences{}},
		{"undeclared recipient", []Flow{access, installer, helpdesk, retained, newRecipient}, Differences{
			UndeclaredRecipients: []Undeclared{{Flow: newRecipient, Activities: []string{"support"},
				Reason: "recipient rcp-other (processor, LT) is not declared for crm, purpose service_provision, basis contract"}},
		}},
		{"undeclared purpose", []Flow{access, installer, helpdesk, retained, otherPurpose}, Differences{
			UndeclaredPurposes: []Undeclared{{Flow: otherPurpose,
				Reason: "purpose planning_analytics on basis consent is not declared for crm"}},
		}},
		{"declared purpose on another basis", []Flow{access, installer, helpdesk, retained, otherBasis}, Differences{
			UndeclaredPurposes: []Undeclared{{Flow: otherBasis,
				Reason: "purpose legal_obligation is declared for cdr_mediation only on basis legal_obligation, seen on contract"}},
		}},
		{"undeclared source system", []Flow{access, installer, helpdesk, retained, unknownSource}, Differences{
			UndeclaredPurposes: []Undeclared{{Flow: unknownSource, Reason: "no activity declares source system tv_usage"}},
		}},
		{"wrong country", []Flow{access, installer, retained, wrongCountry}, Differences{
			UndeclaredTransfers: []Undeclared{{Flow: wrongCountry, Activities: []string{"support"},
				Reason: "recipient rcp-helpdesk-gb is declared in GB under adequacy_decision, seen in US under adequacy_decision"}},
			Unused: []Unused{{ActivityID: "support", RecipientID: "rcp-helpdesk-gb",
				Reason: "no flow observed to rcp-helpdesk-gb in GB under adequacy_decision for this activity"}},
		}},
		{"wrong mechanism", []Flow{access, installer, helpdesk, retained, wrongMechanism}, Differences{
			UndeclaredTransfers: []Undeclared{{Flow: wrongMechanism, Activities: []string{"support"},
				Reason: "recipient rcp-helpdesk-gb in GB is declared under adequacy_decision, seen under standard_contractual_clauses"}},
		}},
		{"declared but unused", []Flow{access}, Differences{
			Unused: []Unused{
				{ActivityID: "retained", Reason: "no flow observed from cdr_mediation for purpose legal_obligation on basis legal_obligation"},
				{ActivityID: "support", RecipientID: "rcp-helpdesk-gb", Reason: "no flow observed to rcp-helpdesk-gb in GB under adequacy_decision for this activity"},
				{ActivityID: "support", RecipientID: "rcp-installer", Reason: "no flow observed to rcp-installer in LV for this activity"},
			},
		}},
		{"nothing observed", nil, Differences{
			Unused: []Unused{
				{ActivityID: "retained", Reason: "no flow observed from cdr_mediation for purpose legal_obligation on basis legal_obligation"},
				{ActivityID: "support", Reason: "no flow observed from crm, third_country_processor for purpose service_provision on basis contract"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := small().Compare(tt.observed)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Compare:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCompareOrderIsDeterministic(t *testing.T) {
	flows := []Flow{
		{SourceSystem: "tv_usage", Purpose: "service_provision", LegalBasis: "contract"},
		{SourceSystem: "billing", Purpose: "security", LegalBasis: "contract"},
		{SourceSystem: "crm", Purpose: "security", LegalBasis: "consent"},
	}
	reversed := []Flow{flows[2], flows[1], flows[0]}
	a, b := small().Compare(flows), small().Compare(reversed)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("order depends on input order:\n%+v\n%+v", a, b)
	}
	for i, want := range []string{"billing", "crm", "tv_usage"} {
		if got := a.UndeclaredPurposes[i].Flow.SourceSystem; got != want {
			t.Errorf("UndeclaredPurposes[%d] from %s, want %s", i, got, want)
		}
	}
}

// TestDeclaredKnownGaps checks that the gaps the register's notes admit
// show up when the simulator's flows are compared with it.
func TestDeclaredKnownGaps(t *testing.T) {
	r, err := Declared()
	if err != nil {
		t.Fatal(err)
	}
	fraud := Flow{SourceSystem: "cdr_mediation", Purpose: "security", LegalBasis: "legitimate_interest"}
	nordic := Flow{SourceSystem: "billing", Purpose: "credit_and_debt", LegalBasis: "legitimate_interest",
		RecipientID: "rcp-debt-nordic-claims", RecipientCategory: "debt_collector", Country: "LT"}
	luminor := Flow{SourceSystem: "billing", Purpose: "service_provision", LegalBasis: "contract",
		RecipientID: "rcp-bank-luminor", RecipientCategory: "bank", Country: "EE"}
	d := r.Compare([]Flow{fraud, nordic, luminor})
	if len(d.UndeclaredPurposes) != 1 || d.UndeclaredPurposes[0].Flow != fraud {
		t.Errorf("fraud screening: UndeclaredPurposes = %+v", d.UndeclaredPurposes)
	}
	if len(d.UndeclaredRecipients) != 1 || d.UndeclaredRecipients[0].Flow != nordic ||
		!reflect.DeepEqual(d.UndeclaredRecipients[0].Activities, []string{"credit_check", "debt_collection"}) {
		t.Errorf("Nordic Claims: UndeclaredRecipients = %+v", d.UndeclaredRecipients)
	}
	if len(d.UndeclaredTransfers) != 1 || d.UndeclaredTransfers[0].Flow != luminor {
		t.Errorf("Luminor: UndeclaredTransfers = %+v", d.UndeclaredTransfers)
	}
	found := false
	for _, u := range d.Unused {
		found = found || (u.ActivityID == "network_building_coordination" && u.RecipientID == "")
	}
	if !found {
		t.Errorf("network_building_coordination not reported unused: %+v", d.Unused)
	}
}
