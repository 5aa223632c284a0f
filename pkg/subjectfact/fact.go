// Package subjectfact holds the facts the operator records about a data
// subject's rights rather than about a flow of data: consent given and
// withdrawn per purpose (policy §33–§37, §44–§45), objections to
// commercial communication (opt-outs, §46), erasure requested, told to the
// recipients and confirmed by them (GDPR Art. 17(2), Art. 19), and
// authorities' requests for retained data that could not be met.
//
// Checked against a subject's lineage events, the facts give the DPO's
// flags: a use of consent after its withdrawal (ConsentFlags), a
// commercial message after an opt-out, and the recipients that still hold
// data the subject asked to erase (Erasure).
//
// The package knows nothing of Kafka, ClickHouse or HTTP: package wire
// encodes a Fact for the facts topic, and the store keeps them.
package subjectfact

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

// Type is what the fact says. The values are the Avro enum symbols
// (schemas/facts); a reader gets "unknown" for a type newer than its
// schema, which Validate rejects.
type Type string

const (
	// ConsentGiven: the subject consented to processing for a purpose
	// (§34; marketing consent §44).
	ConsentGiven Type = "consent_given"
	// ConsentWithdrawn: the subject withdrew consent for a purpose (§35).
	// Processing on that consent stops; what was done before stays lawful
	// (§36), and other bases may continue (§37).
	ConsentWithdrawn Type = "consent_withdrawn"
	// OptedOut: the subject objected to commercial communication (§46).
	// It stops every commercial message, whatever its basis.
	OptedOut Type = "opted_out"
	// ErasureRequested: the subject asked for erasure and it was granted
	// (GDPR Art. 17(1)); every recipient must be told (Art. 17(2), 19).
	ErasureRequested Type = "erasure_requested"
	// ErasureNotified: a recipient was told of the erasure.
	ErasureNotified Type = "erasure_notified"
	// ErasureConfirmed: the recipient confirmed that it erased the data.
	ErasureConfirmed Type = "erasure_confirmed"
	// LawfulRequestUnmet: an authority's request for retained data could
	// not be met; counted in the yearly statistics.
	LawfulRequestUnmet Type = "lawful_request_unmet"
)

// Types lists every type, in the schema's order.
var Types = []Type{ConsentGiven, ConsentWithdrawn, OptedOut, ErasureRequested, ErasureNotified, ErasureConfirmed, LawfulRequestUnmet}

// Channel is how the subject gave or withdrew a consent or opted out: the
// ways §34, §44 and §46 list together.
type Channel string

// Channels lists every channel.
var Channels = []Channel{"self_service_portal", "application_form", "banner", "app", "phone", "email", "in_person", "call_centre", "shop"}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// CommercialCommunication is the purpose of commercial messages (§42–§47):
// marketing consent is consent for it, and an opt-out stops it.
const CommercialCommunication = "commercial_communication"

// Limits of a fact.
const (
	MaxReferenceLen = 128
	MaxReasonLen    = 1024
)

// Fact is one fact about a subject's rights. The fields after SubjectID
// belong to some types only and are empty for the others. A Fact is a
// plain value: not safe for concurrent mutation, safe to share once built.
type Fact struct {
	// ID is a UUID chosen by whoever records the fact; a retry keeps it,
	// and every answer counts an id once.
	ID   string
	Type Type
	// At is when it happened; RecordedAt when it was recorded.
	// Microsecond precision.
	At, RecordedAt time.Time
	// SourceSystem is the taxonomy code of the system that recorded it.
	SourceSystem string
	// Actor is a service account or an employee's caller name.
	Actor string
	// SubjectID is the customer; empty only for LawfulRequestUnmet.
	SubjectID string
	// Purpose is the consent's purpose; consent_given and
	// consent_withdrawn only.
	Purpose string
	// Channel is how the subject said it; consents and opt-outs only.
	Channel Channel
	// RecipientID is the recipient told or confirming (erasure), or the
	// authority that asked (lawful_request_unmet).
	RecipientID string
	// Reference names the erasure request (optional) or the authority's
	// request (required for lawful_request_unmet).
	Reference string
	// Reason says why an authority's request could not be met. Free text:
	// never echoed in errors.
	Reason string
}

// ErrInvalid is matched (errors.Is) by every validation failure.
var ErrInvalid = errors.New("invalid subject fact")

// ValidationError lists every broken rule of one fact, in the project's
// form (lineage.ValidationError): the field as the schema names it, and
// the rule; errors.Is(err, ErrInvalid) is true.
type ValidationError = lineage.ValidationError

type checker struct{ lineage.Rules }

func (c *checker) fail(field, rule, value string) { c.Fail(field, rule, value) }

// Validate checks the fact and returns a *ValidationError naming every
// broken rule, or nil. now bounds the times from above (clock skew
// allowed, as for lineage events).
func (f *Fact) Validate(now time.Time) error {
	var c checker
	if !lineage.ValidUUID(f.ID) {
		c.fail("fact_id", "must be a UUID in its text form (8-4-4-4-12 hex digits)", "")
	}
	c.time("at", f.At, now)
	c.time("recorded_at", f.RecordedAt, now)
	if f.RecordedAt.Before(f.At) {
		c.fail("recorded_at", "must not be earlier than at", "")
	}
	if _, ok := taxonomy.LookupSourceSystem(f.SourceSystem); !ok {
		c.fail("source_system", "must be a source-system code of the taxonomy", f.SourceSystem)
	}
	if !lineage.ValidCallerName(f.Actor) {
		c.fail("actor", "must be a service account or caller name: 1-64 letters, digits and _ . -", "")
	}
	switch {
	case f.SubjectID != "" && !lineage.ValidSubjectID(f.SubjectID):
		c.fail("subject_id", "must be a customer id: C followed by 7 to 10 digits", "")
	case f.SubjectID == "" && f.Type != LawfulRequestUnmet:
		c.fail("subject_id", "required: the customer the fact is about", "")
	}
	switch f.Type {
	case ConsentGiven, ConsentWithdrawn:
		if _, ok := taxonomy.LookupPurpose(f.Purpose); !ok {
			c.fail("purpose", "must be a purpose code of the taxonomy: consent is given per purpose (§33)", f.Purpose)
		}
		c.channel(f.Channel)
	case OptedOut:
		c.channel(f.Channel)
	case ErasureRequested:
		c.text("reference", f.Reference, MaxReferenceLen, false)
	case ErasureNotified, ErasureConfirmed:
		c.recipient(f.RecipientID)
	case LawfulRequestUnmet:
		c.recipient(f.RecipientID)
		c.text("reference", f.Reference, MaxReferenceLen, true)
		c.text("reason", f.Reason, MaxReasonLen, true)
	default:
		c.fail("type", "must be one of "+typeNames(Types), string(f.Type))
	}
	c.onlyFor(f)
	return c.Err("subject fact", ErrInvalid)
}

func (c *checker) time(field string, t, now time.Time) {
	switch {
	case t.Before(lineage.Earliest):
		c.fail(field, "must not be before 2000-01-01 (microseconds since the epoch)", "")
	case t.After(now.Add(lineage.MaxFutureSkew)):
		c.fail(field, "must not be in the future", "")
	}
}

func (c *checker) channel(ch Channel) {
	if !ch.Valid() {
		names := make([]string, len(Channels))
		for i, c := range Channels {
			names[i] = string(c)
		}
		c.fail("channel", "must be one of "+strings.Join(names, ", ")+" (policy §34, §44, §46)", string(ch))
	}
}

func (c *checker) recipient(id string) {
	if !lineage.ValidRecipientID(id) {
		c.fail("recipient_id", "required: the recipient as lineage events name it, 1-128 characters of letters, digits and _ . : @ / -", "")
	}
}

func (c *checker) text(field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		c.fail(field, "required", "")
	case s != "" && (strings.TrimSpace(s) == "" || len(s) > max):
		c.fail(field, "must be 1 to "+strconv.Itoa(max)+" bytes, not blank", "")
	}
}

// onlyFor refuses the fields of another type than f's: an opt-out naming
// a recipient is a mistake somewhere, not a fact to keep.
func (c *checker) onlyFor(f *Fact) {
	for _, o := range []struct {
		field string
		set   bool
		types []Type
	}{
		{"purpose", f.Purpose != "", []Type{ConsentGiven, ConsentWithdrawn}},
		{"channel", f.Channel != "", []Type{ConsentGiven, ConsentWithdrawn, OptedOut}},
		{"recipient_id", f.RecipientID != "", []Type{ErasureNotified, ErasureConfirmed, LawfulRequestUnmet}},
		{"reference", f.Reference != "", []Type{ErasureRequested, LawfulRequestUnmet}},
		{"reason", f.Reason != "", []Type{LawfulRequestUnmet}},
	} {
		if o.set && !slices.Contains(o.types, f.Type) {
			c.fail(o.field, "only for a fact of type "+typeNames(o.types), "")
		}
	}
}

func typeNames(types []Type) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
