// Package lineage is the domain of the tracker: one Event is one fact about a
// data subject's personal data (an access, a transfer to a recipient, or a
// hand-off to a processor), and Validate checks it against the operator's
// privacy-policy taxonomy.
//
// The package knows nothing of Kafka, ClickHouse or HTTP. Its Event type is
// also the Go shape of the Avro schema in schemas/lineage (the avro tags name
// the schema's fields), so decoding needs no second copy of the data.
package lineage

import "time"

// Kind is what happened to the data. The values are the Avro enum symbols.
type Kind string

const (
	// KindUnknown is what a reader gets for a kind newer than its schema.
	// Validate rejects it: the event waits in the dead-letter topic until the
	// reader is upgraded and it is re-driven.
	KindUnknown Kind = "unknown"
	// Access: a system or person read the subject's data.
	Access Kind = "access"
	// Transfer: the data were disclosed to a recipient (policy §17).
	Transfer Kind = "transfer"
	// ProcessorHandoff: the data were given to a processor acting for the
	// operator (policy §13-§14, §18).
	ProcessorHandoff Kind = "processor_handoff"
)

// HasRecipient reports whether events of this kind name a recipient.
func (k Kind) HasRecipient() bool { return k == Transfer || k == ProcessorHandoff }

// ActorType says what kind of actor performed the operation.
type ActorType string

const (
	// ActorUnknown is what a reader gets for an actor type newer than its schema.
	ActorUnknown ActorType = "unknown"
	// ServiceAccount is an automated account of a system.
	ServiceAccount ActorType = "service_account"
	// EmployeeRole is a person, recorded by role and never by name.
	EmployeeRole ActorType = "employee_role"
	// System is the source system itself.
	System ActorType = "system"
)

// Event is one lineage fact. Its zero value is not valid; see Validate.
// An Event is a plain value: not safe for concurrent mutation, safe to share
// once built.
type Event struct {
	// ID is a UUID chosen by the producer; retries and replays keep it, and
	// every answer counts an ID once.
	ID   string `avro:"event_id"`
	Kind Kind   `avro:"kind"`
	// OccurredAt is when the access or disclosure happened; RecordedAt when
	// the source system recorded it. Both have microsecond precision.
	OccurredAt   time.Time `avro:"occurred_at"`
	RecordedAt   time.Time `avro:"recorded_at"`
	SourceSystem string    `avro:"source_system"`
	Actor        Actor     `avro:"actor"`
	// SubjectID is the operator's customer id (see ValidSubjectID), never a
	// personal code, a name or a phone number. It is empty when the source
	// knows the subject only by SubjectIdentifier.
	SubjectID      string   `avro:"subject_id"`
	DataCategories []string `avro:"data_categories"`
	Purpose        string   `avro:"purpose"`
	LegalBasis     string   `avro:"legal_basis"`
	// LegitimateInterest is the §7 interest relied on when LegalBasis is
	// legitimate_interest, nil otherwise.
	LegitimateInterest *string `avro:"legitimate_interest"`
	// Recipient is set for transfers and processor hand-offs only.
	Recipient  *Recipient        `avro:"recipient"`
	Trace      *TraceContext     `avro:"trace"`
	Attributes map[string]string `avro:"attributes"`
	// SubjectIdentifier is set instead of SubjectID by a source that knows
	// the subject only by a phone number, an IP address, a contract or a
	// device; the store resolves it to whoever held it at OccurredAt.
	SubjectIdentifier *Identifier `avro:"subject_identifier"`
	// Restriction is set on a disclosure the subject may not be told of for
	// a time (schema version 3); nil for every other event.
	Restriction *Restriction `avro:"restriction"`
}

// Restriction keeps an event out of the subject's answers until ReviewAt
// (GDPR Art. 23, e.g. traffic data given to an investigating authority).
type Restriction struct {
	// Basis is the legal basis of the restriction, as the law is cited.
	Basis string `avro:"basis"`
	// ReviewAt is when the restriction lapses; microsecond precision.
	ReviewAt time.Time `avro:"review_at"`
}

// RestrictedAt reports whether the event is withheld from the subject at
// now: it carries a restriction that has not lapsed.
func (e *Event) RestrictedAt(now time.Time) bool {
	return e.Restriction != nil && now.Before(e.Restriction.ReviewAt)
}

// Actor performed the operation.
type Actor struct {
	Type ActorType `avro:"type"`
	ID   string    `avro:"id"`
	// Employee is the staff number of the person who acted (schema version
	// 3), for the DPO; nil when no person did. Access reports print the
	// role (ID), never this.
	Employee *string `avro:"employee"`
}

// Recipient received the data.
type Recipient struct {
	ID       string `avro:"id"`
	Name     string `avro:"name"`
	Category string `avro:"category"`
	// Country is ISO 3166-1 alpha-2.
	Country string `avro:"country"`
	// TransferMechanism is the GDPR Chapter V mechanism for a country outside
	// the EU/EEA, nil inside it.
	TransferMechanism *string `avro:"transfer_mechanism"`
}

// TraceContext is the W3C trace context of the operation that caused the event.
type TraceContext struct {
	TraceParent string  `avro:"traceparent"`
	TraceState  *string `avro:"tracestate"`
}

// Ptr returns a pointer to s, or nil for the empty string: the shape of the
// schema's optional strings.
func Ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Deref returns *p, or the empty string for nil.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
