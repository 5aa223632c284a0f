package register

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDeclaredValidates(t *testing.T) {
	r, err := Declared()
	if err != nil {
		t.Fatalf("Declared: %v", err)
	}
	if n := len(r.Activities); n < 10 || n > 20 {
		t.Errorf("register has %d activities, want about 10–16", n)
	}
	if r.DPOContact != "klients@balticom.info" {
		t.Errorf("dpo_contact = %q, want the policy's klients@balticom.info", r.DPOContact)
	}
	again, err := Declared()
	if err != nil || again != r {
		t.Errorf("Declared is not cached: %p, %p, %v", r, again, err)
	}
}

// fresh returns a private copy of the embedded register to mutate.
func fresh(t *testing.T) *Register {
	t.Helper()
	var r Register
	if err := json.Unmarshal(declaredJSON, &r); err != nil {
		t.Fatalf("unmarshal embedded register: %v", err)
	}
	return &r
}

// activity returns the activity of r with the id.
func activity(t *testing.T, r *Register, id string) *Activity {
	t.Helper()
	for i := range r.Activities {
		if r.Activities[i].ID == id {
			return &r.Activities[i]
		}
	}
	t.Fatalf("no activity %q in the embedded register", id)
	return nil
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, r *Register)
		want   []string // substrings of the error, each naming entry, field, rule
	}{
		{"unknown purpose", func(t *testing.T, r *Register) { activity(t, r, "complaint_handling").Purpose = "marketing" },
			[]string{`activity "complaint_handling": purpose: unknown purpose "marketing"`}},
		{"unknown legal basis", func(t *testing.T, r *Register) { activity(t, r, "billing_and_payments").LegalBasis = "whim" },
			[]string{`activity "billing_and_payments": legal_basis: unknown legal basis "whim"`}},
		{"unknown source system", func(t *testing.T, r *Register) {
			a := activity(t, r, "credit_check")
			a.SourceSystems = append(a.SourceSystems, "erp")
		}, []string{`activity "credit_check": source_systems: unknown code "erp"`}},
		{"unknown data category", func(t *testing.T, r *Register) {
			activity(t, r, "credit_check").DataCategories = []string{"identification", "shoe_size"}
		}, []string{`activity "credit_check": data_categories: unknown code "shoe_size"`}},
		{"empty data categories", func(t *testing.T, r *Register) { activity(t, r, "credit_check").DataCategories = nil },
			[]string{`activity "credit_check": data_categories: at least one code is required`}},
		{"unknown subject category", func(t *testing.T, r *Register) {
			activity(t, r, "credit_check").SubjectCategories = []string{"employees"}
		}, []string{`activity "credit_check": subject_categories: unknown code "employees"`}},
		{"unknown retention", func(t *testing.T, r *Register) { activity(t, r, "credit_check").Retention = "forever" },
			[]string{`activity "credit_check": retention: unknown retention rule "forever"`}},
		{"interest missing", func(t *testing.T, r *Register) { activity(t, r, "debt_collection").LegitimateInterest = "" },
			[]string{`activity "debt_collection": legitimate_interest: required when legal_basis is legitimate_interest`}},
		{"interest on another basis", func(t *testing.T, r *Register) { activity(t, r, "retained_data").LegitimateInterest = "7.1" },
			[]string{`activity "retained_data": legitimate_interest: must be empty unless legal_basis is legitimate_interest`}},
		{"unknown interest", func(t *testing.T, r *Register) { activity(t, r, "debt_collection").LegitimateInterest = "7.99" },
			[]string{`activity "debt_collection": legitimate_interest: unknown legitimate interest "7.99"`}},
		{"third country without mechanism", func(t *testing.T, r *Register) {
			activity(t, r, "third_country_crm_support").Recipients[0].TransferMechanism = ""
		}, []string{`activity "third_country_crm_support": recipients[rcp-vendor-kaveri-in].transfer_mechanism: required for IN, outside the EEA`}},
		{"EEA with mechanism", func(t *testing.T, r *Register) {
			activity(t, r, "electricity_supply").Recipients[0].TransferMechanism = "standard_contractual_clauses"
		}, []string{`activity "electricity_supply": recipients[rcp-dso-sadales-tikls].transfer_mechanism: must be empty for LV, inside the EEA`}},
		{"adequacy without decision", func(t *testing.T, r *Register) {
			activity(t, r, "third_country_crm_support").Recipients[0].TransferMechanism = "adequacy_decision"
		}, []string{`activity "third_country_crm_support": recipients[rcp-vendor-kaveri-in].transfer_mechanism: no adequacy decision is in force for IN`}},
		{"unknown mechanism", func(t *testing.T, r *Register) {
			activity(t, r, "third_country_crm_support").Recipients[0].TransferMechanism = "handshake"
		}, []string{`activity "third_country_crm_support": recipients[rcp-vendor-kaveri-in].transfer_mechanism: unknown transfer mechanism "handshake"`}},
		{"unknown country", func(t *testing.T, r *Register) { activity(t, r, "credit_check").Recipients[0].Country = "XX" },
			[]string{`activity "credit_check": recipients[rcp-credit-kreditvestures-centrs].country: unknown country "XX"`}},
		{"unknown recipient category", func(t *testing.T, r *Register) { activity(t, r, "credit_check").Recipients[0].Category = "friend" },
			[]string{`activity "credit_check": recipients[rcp-credit-kreditvestures-centrs].category: unknown recipient category "friend"`}},
		{"recipient renamed across activities", func(t *testing.T, r *Register) {
			a := activity(t, r, "credit_check")
			a.Recipients = append(a.Recipients, Recipient{ID: "rcp-bank-seb", LegalName: "SEB", Category: "bank", Country: "LV"})
		}, []string{`activity "credit_check": recipients[rcp-bank-seb]: legal_name or category differs from the same recipient in activity "billing_and_payments"`}},
		{"duplicate activity id", func(t *testing.T, r *Register) { r.Activities[1].ID = r.Activities[0].ID },
			[]string{`activity "customer_contracts_and_service": id: duplicate id`}},
		{"id not snake_case", func(t *testing.T, r *Register) { activity(t, r, "credit_check").ID = "Credit-Check" },
			[]string{`activity "Credit-Check": id: must be snake_case`}},
		{"missing note", func(t *testing.T, r *Register) { activity(t, r, "credit_check").Note = "" },
			[]string{`activity "credit_check": note: required`}},
		{"bad date", func(t *testing.T, r *Register) { r.Updated = "05.12.2026" },
			[]string{`updated: must be a date YYYY-MM-DD, got "05.12.2026"`}},
		{"all errors joined", func(t *testing.T, r *Register) {
			a := activity(t, r, "credit_check")
			a.Purpose, a.Retention = "x", "y"
			r.DPOContact = ""
		}, []string{`activity "credit_check": purpose: unknown purpose "x"`, `activity "credit_check": retention: unknown retention rule "y"`, "dpo_contact: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fresh(t)
			tt.mutate(t, r)
			err := r.Validate()
			if err == nil {
				t.Fatal("Validate accepted the register")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseRejectsUnknownField(t *testing.T) {
	data := strings.Replace(string(declaredJSON), `"purpose": "credit_and_debt"`, `"purpose": "credit_and_debt", "purpse": "x"`, 1)
	_, err := Parse([]byte(data))
	if err == nil || !strings.Contains(err.Error(), `unknown field "purpse"`) {
		t.Errorf("Parse with a misspelt field: err = %v, want unknown field", err)
	}
	if _, err := Parse(append(append([]byte(nil), declaredJSON...), "{}"...)); err == nil {
		t.Error("Parse accepted trailing data")
	}
}

func TestSubjectCategories(t *testing.T) {
	for _, s := range SubjectCategories() {
		if s.Name == "" || s.NameLV == "" || !strings.HasPrefix(s.Cite, "§4.") {
			t.Errorf("subject category %q: name, Latvian name and a §4 citation required", s.Code)
		}
		if got, ok := LookupSubjectCategory(s.Code); !ok || got != s {
			t.Errorf("LookupSubjectCategory(%q) = %v, %v", s.Code, got, ok)
		}
	}
	if _, ok := LookupSubjectCategory("employees"); ok {
		t.Error("LookupSubjectCategory accepted a code §4 does not have")
	}
}
