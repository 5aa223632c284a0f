// Package accessrequest is the log of data-subject access requests (GDPR
// Art. 15, policy §28–§30): each request is recorded as events (received,
// identity checked, extended, answered, refused), and Fold turns the events
// of one request into its state, with the deadline Art. 12(3) sets.
//
// Deadlines are Riga calendar days, counted as Regulation (EEC, Euratom)
// No 1182/71 Art. 3 counts periods (see PeriodEnd); the EDPB's Guidelines
// 01/2022 on the right of access point to that regulation for the
// one-month period of Art. 12(3).
//
// The package knows nothing of Kafka, ClickHouse or HTTP: package wire
// encodes an Event for the requests topic, and the store keeps them.
package accessrequest

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Type is what happened to a request. The values are the Avro enum symbols
// (schemas/requests); a reader gets "unknown" for a type newer than its
// schema, which Validate rejects.
type Type string

const (
	// Received: the request reached the operator through a §28 channel.
	// The one-month period of Art. 12(3) runs from here.
	Received Type = "received"
	// IdentityChecked: the operator verified who asks (§29) and so which
	// customer the request is about.
	IdentityChecked Type = "identity_checked"
	// Extended: the period was extended by one or two months (Art. 12(3)),
	// and the subject told why.
	Extended Type = "extended"
	// Answered: the report was delivered (§30). It closes the request.
	Answered Type = "answered"
	// Refused: the operator will not act on the request (Art. 12(4)–(5)),
	// and told the subject why. It closes the request.
	Refused Type = "refused"
)

// Channel is how a request reached the operator: the three ways of §28.
// A letter by post is not one of them (§28 lists none), so it has no
// code: a request received by post is a matter for the DPO first.
type Channel string

const (
	// ChannelInPerson: in writing, in person at the legal address, with an
	// identity document (§28.1).
	ChannelInPerson Channel = "in_person"
	// ChannelESignedEmail: by e-mail signed with a secure electronic
	// signature (§28.2).
	ChannelESignedEmail Channel = "e_signed_email"
	// ChannelMansBalticom: logged in to the Mans Balticom portal (§28.3).
	ChannelMansBalticom Channel = "mans_balticom"
)

// Valid reports whether c is one of the §28 channels.
func (c Channel) Valid() bool {
	return c == ChannelInPerson || c == ChannelESignedEmail || c == ChannelMansBalticom
}

// IdentityMethod is how the operator made sure of the requester's identity
// (§29): the means §28 gives each channel.
type IdentityMethod string

const (
	// MethodIDDocument: an identity document shown in person (§28.1).
	MethodIDDocument IdentityMethod = "id_document"
	// MethodSecureESignature: a secure electronic signature (§28.2).
	MethodSecureESignature IdentityMethod = "secure_e_signature"
	// MethodMansBalticomLogin: the portal's authentication (§28.3).
	MethodMansBalticomLogin IdentityMethod = "mans_balticom_login"
)

// Valid reports whether m is one of the §28 means of identification.
func (m IdentityMethod) Valid() bool {
	return m == MethodIDDocument || m == MethodSecureESignature || m == MethodMansBalticomLogin
}

// Format is the file format of the report given to the subject.
type Format string

const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatHTML Format = "html"
	FormatPDF  Format = "pdf"
)

// Valid reports whether f is a format the report is produced in.
func (f Format) Valid() bool {
	return f == FormatJSON || f == FormatCSV || f == FormatHTML || f == FormatPDF
}

// Language is the language of the report.
type Language string

const (
	LanguageLV Language = "lv"
	LanguageEN Language = "en"
)

// Valid reports whether l is a language the report is written in.
func (l Language) Valid() bool { return l == LanguageLV || l == LanguageEN }

// DeliveryChannel is how the report reached the subject: the three ways of
// §30, as the subject chose.
type DeliveryChannel string

const (
	// DeliverRegisteredLetter: by post, as a registered letter to the
	// contact address the subject gave.
	DeliverRegisteredLetter DeliveryChannel = "registered_letter"
	// DeliverMansBalticom: in the Mans Balticom portal.
	DeliverMansBalticom DeliveryChannel = "mans_balticom"
	// DeliverInPerson: handed over in person.
	DeliverInPerson DeliveryChannel = "in_person"
)

// Valid reports whether d is one of the §30 ways.
func (d DeliveryChannel) Valid() bool {
	return d == DeliverRegisteredLetter || d == DeliverMansBalticom || d == DeliverInPerson
}

// Event is one fact about one access request. The fields after Actor
// belong to one type each and are empty (zero) for every other type.
// An Event is a plain value: not safe for concurrent mutation, safe to
// share once built.
type Event struct {
	// EventID is a UUID chosen by whoever records the fact; a retry keeps
	// it, and Fold counts an id once.
	EventID string
	// RequestID names the request: "AR-" and 8 to 32 letters, digits and
	// hyphens (see ValidRequestID). Records are keyed by it.
	RequestID string
	Type      Type
	// At is when it happened (the request arrived, the report was sent);
	// RecordedAt is when it was recorded. Microsecond precision.
	At         time.Time
	RecordedAt time.Time
	// Actor is the caller name of the employee who recorded the fact, for
	// the DPO: 1 to 64 letters, digits and _ . - (the API's caller names).
	Actor string

	// Channel is how the request arrived; received only.
	Channel Channel

	// SubjectID is the customer the request turned out to be about, and
	// Method how the requester was identified; identity_checked only.
	SubjectID string
	Method    IdentityMethod

	// ExtensionMonths (1 or 2) is the whole extension beyond the first
	// month, and SubjectToldAt when the subject was told of it and why;
	// extended only. A later extension replaces an earlier one.
	ExtensionMonths int
	SubjectToldAt   time.Time

	// Reason says why the period was extended (extended) or why the
	// operator will not act (refused); for those two only. Free text
	// written for the subject and the DPO: never echoed in errors.
	Reason string

	// ReportHash is the SHA-256 of the report file in 64 lower-case hex
	// digits; Format, Language and DeliveryChannel describe what was sent
	// and how. answered only.
	ReportHash      string
	Format          Format
	Language        Language
	DeliveryChannel DeliveryChannel
}

// Limits of an event.
const (
	MaxReasonLen = 1024
	minRequestID = 8
	maxRequestID = 32
)

// GDPRApplies is the first day the GDPR applied (Art. 99(2)): no access
// request under it was received before, so an earlier time is a mistake.
var GDPRApplies = time.Date(2018, time.May, 25, 0, 0, 0, 0, riga)

// ErrInvalid is matched (errors.Is) by every validation failure.
var ErrInvalid = errors.New("invalid access request event")

// ValidationError lists every broken rule of one event, in the project's
// form (lineage.ValidationError): the field as the schema names it, and
// the rule; errors.Is(err, ErrInvalid) is true.
type ValidationError = lineage.ValidationError

type checker struct{ lineage.Rules }

func (c *checker) fail(field, rule, value string) { c.Fail(field, rule, value) }

// Validate checks the event and returns a *ValidationError naming every
// broken rule, or nil. now bounds the times from above (clock skew
// allowed, as for lineage events).
func (e *Event) Validate(now time.Time) error {
	var c checker
	if !lineage.ValidUUID(e.EventID) {
		c.fail("event_id", "must be a UUID in its text form (8-4-4-4-12 hex digits)", "")
	}
	if !ValidRequestID(e.RequestID) {
		c.fail("request_id", "must be AR- and 8 to 32 letters, digits and hyphens", "")
	}
	c.time("at", e.At, now)
	c.time("recorded_at", e.RecordedAt, now)
	if e.RecordedAt.Before(e.At) {
		c.fail("recorded_at", "must not be earlier than at", "")
	}
	if !lineage.ValidCallerName(e.Actor) {
		c.fail("actor", "must be the caller name of who recorded it: 1-64 letters, digits and _ . -", "")
	}
	switch e.Type {
	case Received:
		if !e.Channel.Valid() {
			c.fail("channel", "must be in_person, e_signed_email or mans_balticom (policy §28)", string(e.Channel))
		}
	case IdentityChecked:
		if !lineage.ValidSubjectID(e.SubjectID) {
			c.fail("subject_id", "must be a customer id: C followed by 7 to 10 digits", "")
		}
		if !e.Method.Valid() {
			c.fail("identity_method", "must be id_document, secure_e_signature or mans_balticom_login (policy §28-§29)", string(e.Method))
		}
	case Extended:
		if e.ExtensionMonths != 1 && e.ExtensionMonths != 2 {
			c.fail("extension_months", "must be 1 or 2: Art. 12(3) allows two further months at most", "")
		}
		if e.SubjectToldAt.IsZero() {
			c.fail("subject_told_at", "required: the subject must be told of the extension and why (GDPR Art. 12(3))", "")
		} else {
			c.time("subject_told_at", e.SubjectToldAt, now)
		}
		c.reason(e.Reason)
	case Answered:
		if !validSHA256(e.ReportHash) {
			c.fail("report_hash", "must be the report's SHA-256 in 64 lower-case hex digits", "")
		}
		if !e.Format.Valid() {
			c.fail("format", "must be json, csv, html or pdf", string(e.Format))
		}
		if !e.Language.Valid() {
			c.fail("language", "must be lv or en", string(e.Language))
		}
		if !e.DeliveryChannel.Valid() {
			c.fail("delivery_channel", "must be registered_letter, mans_balticom or in_person (policy §30)", string(e.DeliveryChannel))
		}
	case Refused:
		c.reason(e.Reason)
	default:
		c.fail("type", "must be received, identity_checked, extended, answered or refused", string(e.Type))
	}
	c.onlyFor(e)
	return c.Err("access request event", ErrInvalid)
}

func (c *checker) time(field string, t, now time.Time) {
	switch {
	case t.Before(GDPRApplies):
		c.fail(field, "must not be before 2018-05-25, when the GDPR began to apply (microseconds since the epoch)", "")
	case t.After(now.Add(lineage.MaxFutureSkew)):
		c.fail(field, "must not be in the future", "")
	}
}

func (c *checker) reason(r string) {
	if strings.TrimSpace(r) == "" || len(r) > MaxReasonLen {
		c.fail("reason", "required: 1-1024 bytes saying why, as the subject is told", "")
	}
}

// onlyFor refuses the fields of another type than e's: a received event
// naming a report hash is a mistake somewhere, not a fact to keep.
func (c *checker) onlyFor(e *Event) {
	for _, f := range []struct {
		field string
		set   bool
		types []Type
	}{
		{"channel", e.Channel != "", []Type{Received}},
		{"subject_id", e.SubjectID != "", []Type{IdentityChecked}},
		{"identity_method", e.Method != "", []Type{IdentityChecked}},
		{"extension_months", e.ExtensionMonths != 0, []Type{Extended}},
		{"subject_told_at", !e.SubjectToldAt.IsZero(), []Type{Extended}},
		{"reason", e.Reason != "", []Type{Extended, Refused}},
		{"report_hash", e.ReportHash != "", []Type{Answered}},
		{"format", e.Format != "", []Type{Answered}},
		{"language", e.Language != "", []Type{Answered}},
		{"delivery_channel", e.DeliveryChannel != "", []Type{Answered}},
	} {
		if !f.set || slices.Contains(f.types, e.Type) {
			continue
		}
		names := make([]string, len(f.types))
		for i, t := range f.types {
			names[i] = string(t)
		}
		c.fail(f.field, "only for an event of type "+strings.Join(names, " or "), "")
	}
}

// ValidRequestID reports whether s names a request: "AR-" and 8 to 32
// letters, digits and hyphens. The shape keeps customer ids, personal
// codes and e-mail addresses out of the request log's key.
func ValidRequestID(s string) bool {
	rest, ok := strings.CutPrefix(s, "AR-")
	if !ok || len(rest) < minRequestID || len(rest) > maxRequestID {
		return false
	}
	for i := 0; i < len(rest); i++ {
		b := rest[i]
		if !(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z') && !(b >= '0' && b <= '9') && b != '-' {
			return false
		}
	}
	return true
}

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= '0' && b <= '9') && !(b >= 'a' && b <= 'f') {
			return false
		}
	}
	return true
}
