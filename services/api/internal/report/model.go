package report

import "time"

// Event is one stored lineage event as the report reads it.
type Event struct {
	ID           string
	Kind         string    // access | transfer | processor_handoff
	OccurredAt   time.Time // UTC
	RecordedAt   time.Time
	SourceSystem string // taxonomy source system code
	ActorType    string // service_account | employee_role | system
	ActorID      string // role code or account name, never a person
	// Employee is the staff id of the person who acted, if any. It is for
	// the DPO only and never appears in a subject's report.
	Employee       string
	DataCategories []string // taxonomy category codes
	// Purpose, LegalBasis and LegitimateInterest are taxonomy codes; the
	// interest is a section number ("7.20"), "" when none.
	Purpose, LegalBasis, LegitimateInterest string
	// Recipient fields are "" for access events; RecipientName is the
	// recipient's legal name.
	RecipientID, RecipientName, RecipientCategory, RecipientCountry, TransferMechanism string
	// Attributes holds free-form facts, e.g. "access_request_id", "reason"
	// (the recorded reason of a disclosure), "automated_decision".
	Attributes map[string]string
	// ResolvedVia is the identifier kind (msisdn, ip_address, contract,
	// device) when the event was found through an identity link; "" when it
	// is stored under the customer id.
	ResolvedVia string
	// Restriction is set when the disclosure may not be shown to the
	// subject for a time.
	Restriction *Restriction
	// Partition and Offset are the Kafka position the event was stored from.
	Partition int32
	Offset    int64
}

// Restriction keeps an event from the subject until ReviewAt.
type Restriction struct {
	// Basis is the legal basis of the restriction, as recorded (free text,
	// e.g. "Kriminālprocesa likums, 192. pants").
	Basis string
	// ReviewAt is when the restriction lapses unless renewed.
	ReviewAt time.Time
}

// IdentityWindow is a time in which events known by an identifier of Kind
// were left out of the report, because two customers were linked to the
// identifier at once.
type IdentityWindow struct {
	Kind     string
	From, To time.Time
}

// Options say whose report to build, in which language, and for whom.
type Options struct {
	SubjectID string
	// Language is "lv" or "en".
	Language string
	// Now is when the report is computed: restrictions whose ReviewAt is not
	// after Now have lapsed.
	Now time.Time
	// From (inclusive) and To (exclusive) bound the OccurredAt of the events
	// reported; nil leaves that side open.
	From, To *time.Time
	// IncludeRestricted is the DPO's view: restricted events are shown and
	// marked with their basis and review date, and the staff ids of the
	// employees who acted are shown.
	IncludeRestricted bool
	// Withheld lists the identifier windows left out of the events given to
	// Build; the report says so.
	Withheld []IdentityWindow
}

// Report is an Art. 15 access report: what Build computed, ready for any of
// the renderers. It is plain data; a *Report must not be changed after
// Build returned it, so that its Hash and its JSON (Build encodes it once,
// for the hash, and WriteJSON writes that encoding) stay true. It may be
// rendered concurrently.
type Report struct {
	Language   string     `json:"language"`
	SubjectID  string     `json:"subject_id"`
	View       string     `json:"view"` // ViewSubject or ViewDPO
	Window     Window     `json:"window"`
	Title      string     `json:"title"`
	Controller Controller `json:"controller"`
	Summary    Summary    `json:"summary"`

	// Layer 1: the nine items of the Data State Inspectorate's list, the
	// Art. 15(2) safeguards and the consultations.
	Purposes      []PurposeLine   `json:"purposes"`                // (a)
	Categories    []CategoryLine  `json:"categories"`              // (b)
	Recipients    []RecipientLine `json:"recipients"`              // (c)
	Safeguards    []SafeguardLine `json:"third_country_transfers"` // 15(2)
	Retention     Retention       `json:"retention"`               // (d)
	Rights        Text            `json:"rights"`                  // (e)
	Complaint     Text            `json:"complaint"`               // (f)
	Sources       Sources         `json:"sources"`                 // (g)
	Automated     Automated       `json:"automated_decisions"`     // (h)
	Consultations []Consultation  `json:"consultations"`

	// Layer 2.
	Timeline []TimelineEntry `json:"timeline"`
	// Layer 3, oldest first.
	Rows []Row `json:"events"`

	// Restricted lists, in the DPO's view only, the restrictions of the
	// events shown, lapsed or not.
	Restricted []RestrictedLine `json:"restricted,omitempty"`
	Withheld   Withheld         `json:"withheld"`
	Position   Position         `json:"position"`

	// ComputedAt and Hash come last and are left out of the content that
	// Hash is computed over (see ContentHash).
	ComputedAt time.Time `json:"computed_at,omitzero"`
	// Hash is the SHA-256 (hex) of the report's content.
	Hash string `json:"content_sha256,omitempty"`

	// canonical is the content's JSON, as Build hashed it.
	canonical []byte
}

// The views of a report.
const (
	ViewSubject = "subject"
	ViewDPO     = "dpo"
)

// Window is the time asked for; a nil side is open.
type Window struct {
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	Text string     `json:"text"`
}

// Controller names the controller and how to reach it (§1–§2).
type Controller struct {
	Name    string `json:"name"`
	RegNo   string `json:"registration_no"`
	Address string `json:"address"`
	Contact string `json:"contact"`
	Text    string `json:"text"`
}

// Summary opens the report: whether data are processed, counts, and a
// sentence per layer saying what it contains.
type Summary struct {
	Holds  string   `json:"holds"` // item 1 of the Inspectorate's list
	Counts []Count  `json:"counts"`
	Layers []string `json:"layers"`
}

// Count is one number of the summary.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int    `json:"value"`
}

// Named is a code with its name in the report's language and, for the
// policy's codes, where the policy defines it.
type Named struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Cite string `json:"cite,omitempty"`
}

// Basis is a legal basis with the legitimate interest it rests on, if any.
type Basis struct {
	Basis    Named  `json:"basis"`
	Interest *Named `json:"interest,omitempty"`
}

// PurposeLine is one purpose of processing (Art. 15(1)(a)).
type PurposeLine struct {
	Purpose  Named    `json:"purpose"`
	Bases    []Basis  `json:"legal_bases"`
	Events   int      `json:"events"`
	EventIDs []string `json:"event_ids"`
}

// CategoryLine is one category of personal data (Art. 15(1)(b)).
type CategoryLine struct {
	Category Named    `json:"category"`
	Special  bool     `json:"special,omitempty"`
	Events   int      `json:"events"`
	EventIDs []string `json:"event_ids"`
}

// RecipientLine is one recipient (Art. 15(1)(c)): one legal name, country
// and transfer mechanism, so a third-country recipient whose safeguard
// changed has a line per mechanism period.
type RecipientLine struct {
	ID string `json:"id,omitempty"`
	// Name is the legal name; "" when only the category was recorded, and
	// then Reasons carries the recorded reasons.
	Name          string    `json:"legal_name"`
	Category      Named     `json:"category"`
	Reasons       []string  `json:"reasons,omitempty"`
	ReasonMissing bool      `json:"reason_missing,omitempty"`
	Country       Named     `json:"country"`
	ThirdCountry  bool      `json:"third_country"`
	Mechanism     *Named    `json:"transfer_mechanism,omitempty"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
	Kinds         []Named   `json:"kinds"`
	Categories    []Named   `json:"categories"`
	Purposes      []Named   `json:"purposes"`
	Bases         []Basis   `json:"legal_bases"`
	// Restrictions is set in the DPO's view only.
	Restrictions []RestrictionNote `json:"restrictions,omitempty"`
	EventIDs     []string          `json:"event_ids"`
}

// Display is the recipient as the report names it: the legal name, or the
// category when no name was recorded.
func (l RecipientLine) Display() string {
	if l.Name != "" {
		return l.Name
	}
	return l.Category.Name
}

// SafeguardLine is one transfer period to a recipient outside the EEA with
// the safeguard in force then (Art. 15(2)).
type SafeguardLine struct {
	Recipient string    `json:"recipient"`
	Country   Named     `json:"country"`
	Mechanism *Named    `json:"transfer_mechanism,omitempty"` // nil: none recorded
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	EventIDs  []string  `json:"event_ids"`
}

// Retention is the storage period or its criteria (Art. 15(1)(d)).
type Retention struct {
	Criteria []string        `json:"criteria"` // §20
	Note     string          `json:"note"`     // the mapping is ours
	Lines    []RetentionLine `json:"lines"`
}

// RetentionLine is the retention rule we map a category to.
type RetentionLine struct {
	Category     Named    `json:"category"`
	Rule         Named    `json:"rule"`
	PeriodStated bool     `json:"period_stated"`
	Text         string   `json:"text"`
	EventIDs     []string `json:"event_ids"`
}

// Text is a passage of the policy, in the report's language.
type Text struct {
	Paragraphs []string `json:"paragraphs"`
}

// Sources are where the data came from, where not from the subject
// (Art. 15(1)(g)).
type Sources struct {
	Policy []string     `json:"policy"` // the §16 list
	Note   string       `json:"note"`   // the mapping is ours
	Lines  []SourceLine `json:"lines"`
}

// SourceLine is one source system whose events did not come from the
// subject, with the §16 source it represents.
type SourceLine struct {
	Source     Named    `json:"policy_source"`
	System     Named    `json:"system"`
	Categories []Named  `json:"categories"`
	Events     int      `json:"events"`
	EventIDs   []string `json:"event_ids"`
}

// Automated is the automated decision-making (Art. 15(1)(h)).
type Automated struct {
	Policy []string        `json:"policy"` // §10–§12
	Lines  []AutomatedLine `json:"lines"`
	None   string          `json:"none,omitempty"` // said when Lines is empty
}

// AutomatedLine is one event that recorded an automated decision.
type AutomatedLine struct {
	EventID    string    `json:"event_id"`
	OccurredAt time.Time `json:"occurred_at"`
	Decision   string    `json:"decision"`
	Source     Named     `json:"source_system"`
	Purpose    Named     `json:"purpose"`
	Basis      Basis     `json:"legal_basis"`
}

// Consultation is one lookup of the subject's data (CJEU C-579/21): when,
// where, why and in which role. The employee's staff id is set in the DPO's
// view only.
type Consultation struct {
	EventID         string    `json:"event_id"`
	OccurredAt      time.Time `json:"occurred_at"`
	Source          Named     `json:"source_system"`
	Purpose         Named     `json:"purpose"`
	AccessRequestID string    `json:"access_request_id,omitempty"`
	ActorType       Named     `json:"actor_type"`
	Role            string    `json:"role"`
	Employee        string    `json:"employee,omitempty"`
}

// TimelineEntry is what happened in one month with one counterpart.
type TimelineEntry struct {
	Month       string   `json:"month"` // YYYY-MM
	Kind        Named    `json:"kind"`
	Counterpart string   `json:"counterpart"` // recipient's legal name or source system
	Categories  []Named  `json:"categories"`
	Events      int      `json:"events"`
	EventIDs    []string `json:"event_ids"`
}

// Row is one event with every field but the employee (set in the DPO's view
// only).
type Row struct {
	EventID     string            `json:"event_id"`
	Kind        Named             `json:"kind"`
	OccurredAt  time.Time         `json:"occurred_at"`
	RecordedAt  time.Time         `json:"recorded_at"`
	Source      Named             `json:"source_system"`
	ActorType   Named             `json:"actor_type"`
	ActorID     string            `json:"actor_id"`
	Categories  []Named           `json:"data_categories"`
	Purpose     Named             `json:"purpose"`
	Basis       Basis             `json:"legal_basis"`
	Recipient   *RowRecipient     `json:"recipient,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	ResolvedVia *Named            `json:"resolved_via,omitempty"`
	Restriction *RestrictionNote  `json:"restriction,omitempty"`
	Employee    string            `json:"employee,omitempty"`
	Partition   int32             `json:"partition"`
	Offset      int64             `json:"offset"`
}

// RowRecipient is the recipient of a disclosure.
type RowRecipient struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"legal_name"`
	Category  Named  `json:"category"`
	Country   Named  `json:"country"`
	Mechanism *Named `json:"transfer_mechanism,omitempty"`
}

// RestrictionNote is a restriction as the DPO sees it.
type RestrictionNote struct {
	Basis    string    `json:"basis"`
	ReviewAt time.Time `json:"review_at"`
	Active   bool      `json:"active"` // ReviewAt is after the report's Now
}

// RestrictedLine groups the events shown to the DPO under one restriction.
type RestrictedLine struct {
	RestrictionNote
	EventIDs []string `json:"event_ids"`
}

// Withheld says what the report leaves out and why.
type Withheld struct {
	// Bases are the legal bases under which lines were withheld, unique and
	// sorted: no count and no dates (see withheldBases).
	Bases     []string         `json:"restriction_bases"`
	BasesText []string         `json:"restriction_text,omitempty"`
	Identity  []WithheldWindow `json:"identity_windows"`
}

// WithheldWindow is an identifier window left out, with the report's
// sentence about it.
type WithheldWindow struct {
	Kind Named     `json:"kind"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Text string    `json:"text"`
}

// Position is where in the store the report was computed: per Kafka
// partition, the highest offset among the events read. The report's
// ComputedAt says when.
type Position struct {
	Partitions []PartitionOffset `json:"partitions"`
}

// PartitionOffset is the highest offset read from one partition.
type PartitionOffset struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
}
