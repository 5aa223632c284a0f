// Package register holds the operator's declared record of processing
// activities (GDPR Art. 30(1)) as data, validates it against the policy's
// codes in package taxonomy, and compares it with the flows the lineage
// tracker actually observed (compare.go).
//
// The policy lists data subjects (§4), purposes (§5), bases (§6–§7),
// recipients (§13–§19) and retention rules (§20–§23) as separate lists and
// never says which purpose uses which category on which basis for how long.
// Every activity of the register is therefore our mapping; each entry's Note
// says what is ours and its Cite what the policy states.
package register

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// Register is the declared record of processing activities.
type Register struct {
	Controller Controller `json:"controller"`
	// DPOContact is the data-protection contact the policy gives (§2,
	// cookie part IX).
	DPOContact string `json:"dpo_contact"`
	// Version identifies this edition of the register.
	Version string `json:"version"`
	// Updated is the date of this edition, YYYY-MM-DD.
	Updated    string     `json:"updated"`
	Activities []Activity `json:"activities"`
}

// Controller identifies the controller (GDPR Art. 30(1)(a)).
type Controller struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registration_number"`
	Address            string `json:"address"`
}

// Activity is one processing activity of the register.
type Activity struct {
	// ID is a stable snake_case identifier.
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameLV string `json:"name_lv"`
	// SourceSystems are the taxonomy source-system codes whose events the
	// activity covers.
	SourceSystems []string `json:"source_systems"`
	// Purpose and LegalBasis are taxonomy codes. LegitimateInterest is the
	// §7 interest (e.g. "7.6"), set exactly when LegalBasis is
	// "legitimate_interest".
	Purpose            string `json:"purpose"`
	LegalBasis         string `json:"legal_basis"`
	LegitimateInterest string `json:"legitimate_interest,omitempty"`
	// DataCategories are annex 1 category codes.
	DataCategories []string `json:"data_categories"`
	// SubjectCategories are codes of SubjectCategories (policy §4).
	SubjectCategories []string    `json:"subject_categories"`
	Recipients        []Recipient `json:"recipients"`
	// Retention is a taxonomy retention-rule code.
	Retention string `json:"retention"`
	// Cite names the policy sections the entry rests on.
	Cite string `json:"cite"`
	// Note says what is our choice rather than the policy's.
	Note string `json:"note"`
}

// Recipient is a recipient of an activity, by the id the lineage events use.
type Recipient struct {
	ID        string `json:"id"`
	LegalName string `json:"legal_name"`
	// Category is a taxonomy recipient-category code.
	Category string `json:"category"`
	// Country is the ISO 3166-1 alpha-2 code of where the recipient
	// receives or accesses the data.
	Country string `json:"country"`
	// TransferMechanism is the GDPR Chapter V mechanism, empty inside the
	// EEA (no transfer takes place there).
	TransferMechanism string `json:"transfer_mechanism,omitempty"`
}

// SubjectCategory is a category of data subjects of policy §4.
type SubjectCategory struct {
	Code   string
	Name   string
	NameLV string
	Cite   string
}

// subjectCategoryList splits §4 into codes. §4.1 names potential, former
// and current customers together and their contact persons and payers in
// brackets; splitting prospects and contact persons off is ours, because
// their retention (§20.4) and rights differ.
var subjectCategoryList = []SubjectCategory{
	{Code: "customers", Name: "Customers, subscribers and other service users", NameLV: "Klienti, abonenti un citi pakalpojumu lietotāji", Cite: "§4.1"},
	{Code: "prospects", Name: "Prospective customers", NameLV: "Potenciālie klienti", Cite: "§4.1; §20.4"},
	{Code: "contact_persons", Name: "Related third parties: contact persons, payers", NameLV: "Saistītās trešās personas: kontaktpersonas, maksātāji", Cite: "§4.1"},
	{Code: "visitors", Name: "Visitors to offices and other premises", NameLV: "Balticom biroju un citu telpu apmeklētāji", Cite: "§4.2"},
	{Code: "online_users", Name: "Website and app users, callers to the contact centre", NameLV: "Tīmekļvietņu un lietotņu lietotāji, kontaktu centra zvanītāji", Cite: "§4.3"},
	{Code: "campaign_participants", Name: "Participants in marketing campaigns", NameLV: "Mārketinga kampaņu dalībnieki", Cite: "§4.4"},
	{Code: "property_owners", Name: "Owners of real estate hosting the network", NameLV: "Nekustamo īpašumu, kuros izvietots tīkls, īpašnieki", Cite: "§4.5"},
}

// SubjectCategories returns the categories of data subjects, in policy
// order. The slice is a copy.
func SubjectCategories() []SubjectCategory {
	return append([]SubjectCategory(nil), subjectCategoryList...)
}

// LookupSubjectCategory returns the subject category with the code.
func LookupSubjectCategory(code string) (SubjectCategory, bool) {
	for _, s := range subjectCategoryList {
		if s.Code == code {
			return s, true
		}
	}
	return SubjectCategory{}, false
}

//go:embed register.json
var declaredJSON []byte

// declared parses the embedded register once: it never changes at run time.
var declared = sync.OnceValues(func() (*Register, error) {
	r, err := Parse(declaredJSON)
	if err != nil {
		return nil, fmt.Errorf("embedded register.json: %w", err)
	}
	return r, nil
})

// Declared returns the operator's declared register, embedded in the
// binary. Callers share the value and must not modify it.
func Declared() (*Register, error) { return declared() }

// Parse decodes a register and validates it. Unknown fields are rejected,
// so that a misspelt field is an error rather than a silently empty value.
func Parse(data []byte) (*Register, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Register
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode register: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode register: trailing data after the JSON object")
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("validate register: %w", err)
	}
	return &r, nil
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Validate checks the register against the taxonomy and returns every
// violation, joined; each names the activity, the field and the rule.
func (r *Register) Validate() error {
	var errs []error
	top := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if r.Controller.Name == "" {
		top("controller.name", "required")
	}
	if r.Controller.Address == "" {
		top("controller.address", "required")
	}
	if r.DPOContact == "" {
		top("dpo_contact", "required")
	}
	if r.Version == "" {
		top("version", "required")
	}
	if _, err := time.Parse(time.DateOnly, r.Updated); err != nil {
		top("updated", "must be a date YYYY-MM-DD, got %q", r.Updated)
	}
	if len(r.Activities) == 0 {
		top("activities", "at least one activity is required")
	}

	seen := make(map[string]bool, len(r.Activities))
	// firstRecipient keeps the first declaration of each recipient id, so
	// that one id cannot name two legal entities across activities.
	type declaredAt struct {
		activity string
		r        Recipient
	}
	firstRecipient := make(map[string]declaredAt)
	for i, a := range r.Activities {
		name := a.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		bad := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("activity %q: %s: %s", name, field, fmt.Sprintf(format, args...)))
		}
		switch {
		case a.ID == "":
			bad("id", "required")
		case !snakeCase.MatchString(a.ID):
			bad("id", "must be snake_case")
		case seen[a.ID]:
			bad("id", "duplicate id")
		}
		seen[a.ID] = true
		if a.Name == "" {
			bad("name", "required")
		}
		if a.NameLV == "" {
			bad("name_lv", "required")
		}
		codes(bad, "source_systems", a.SourceSystems, func(c string) bool { _, ok := taxonomy.LookupSourceSystem(c); return ok })
		if _, ok := taxonomy.LookupPurpose(a.Purpose); !ok {
			bad("purpose", "unknown purpose %q", a.Purpose)
		}
		if _, ok := taxonomy.LookupLegalBasis(a.LegalBasis); !ok {
			bad("legal_basis", "unknown legal basis %q", a.LegalBasis)
		}
		switch {
		case a.LegalBasis == "legitimate_interest" && a.LegitimateInterest == "":
			bad("legitimate_interest", "required when legal_basis is legitimate_interest")
		case a.LegalBasis != "legitimate_interest" && a.LegitimateInterest != "":
			bad("legitimate_interest", "must be empty unless legal_basis is legitimate_interest")
		case a.LegitimateInterest != "":
			if _, ok := taxonomy.LookupLegitimateInterest(a.LegitimateInterest); !ok {
				bad("legitimate_interest", "unknown legitimate interest %q", a.LegitimateInterest)
			}
		}
		codes(bad, "data_categories", a.DataCategories, func(c string) bool { _, ok := taxonomy.LookupCategory(c); return ok })
		codes(bad, "subject_categories", a.SubjectCategories, func(c string) bool { _, ok := LookupSubjectCategory(c); return ok })
		if _, ok := taxonomy.LookupRetentionRule(a.Retention); !ok {
			bad("retention", "unknown retention rule %q", a.Retention)
		}
		if a.Cite == "" {
			bad("cite", "required")
		}
		if a.Note == "" {
			bad("note", "required: say what is ours, not the policy's")
		}

		ids := make(map[string]bool, len(a.Recipients))
		for j, rc := range a.Recipients {
			field := fmt.Sprintf("recipients[%d]", j)
			if rc.ID != "" {
				field = fmt.Sprintf("recipients[%s]", rc.ID)
			}
			switch {
			case rc.ID == "":
				bad(field+".id", "required")
			case ids[rc.ID]:
				bad(field+".id", "duplicate recipient in the activity")
			}
			ids[rc.ID] = true
			if rc.LegalName == "" {
				bad(field+".legal_name", "required")
			}
			if _, ok := taxonomy.LookupRecipientCategory(rc.Category); !ok {
				bad(field+".category", "unknown recipient category %q", rc.Category)
			}
			country, ok := taxonomy.LookupCountry(rc.Country)
			if !ok {
				bad(field+".country", "unknown country %q", rc.Country)
			}
			switch {
			case !ok:
				// The mechanism rules depend on the country; already reported.
			case country.EEA && rc.TransferMechanism != "":
				bad(field+".transfer_mechanism", "must be empty for %s, inside the EEA", rc.Country)
			case !country.EEA && rc.TransferMechanism == "":
				bad(field+".transfer_mechanism", "required for %s, outside the EEA (GDPR Chapter V)", rc.Country)
			case !country.EEA:
				if _, known := taxonomy.LookupTransferMechanism(rc.TransferMechanism); !known {
					bad(field+".transfer_mechanism", "unknown transfer mechanism %q", rc.TransferMechanism)
				} else if rc.TransferMechanism == "adequacy_decision" && !country.Adequacy {
					bad(field+".transfer_mechanism", "no adequacy decision is in force for %s", rc.Country)
				}
			}
			if rc.ID == "" {
				continue
			}
			if prev, dup := firstRecipient[rc.ID]; dup {
				if prev.r.LegalName != rc.LegalName || prev.r.Category != rc.Category {
					bad(field, "legal_name or category differs from the same recipient in activity %q", prev.activity)
				}
			} else {
				firstRecipient[rc.ID] = declaredAt{activity: name, r: rc}
			}
		}
	}
	return errors.Join(errs...)
}

// codes checks a required list of codes: non-empty, each known, no repeats.
func codes(bad func(field, format string, args ...any), field string, list []string, known func(string) bool) {
	if len(list) == 0 {
		bad(field, "at least one code is required")
	}
	seen := make(map[string]bool, len(list))
	for _, c := range list {
		switch {
		case !known(c):
			bad(field, "unknown code %q", c)
		case seen[c]:
			bad(field, "duplicate code %q", c)
		}
		seen[c] = true
	}
}
