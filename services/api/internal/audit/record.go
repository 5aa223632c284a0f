// Package audit defines the record the query API writes to the audit topic
// (lineage.audit.v1) for every lookup of a data subject, before the lookup is
// answered. Its JSON shape is a contract with whoever reads the topic (the
// DPO's reports); fields are only ever added.
//
// The package is plain data: the Kafka writer lives in kafkaaudit.
package audit

import (
	"cmp"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// OutcomeRequested is the outcome of every record: the record is written
// before the lookup runs, so all it can say is that the lookup was asked for.
const OutcomeRequested = "requested"

// Key is the Kafka key of the record: the subject id, for a search the
// identifier's key, for a question about a party "kind:party".
func (r Record) Key() string {
	switch {
	case r.SubjectID != "":
		return r.SubjectID
	case r.Identifier != nil:
		return r.Identifier.Key()
	case r.Party != "":
		return r.PartyKind + ":" + r.Party
	}
	return ""
}

// NamesSubject reports whether the record is of a lookup of one subject
// (by customer id or identifier), which is also recorded as a consultation
// of the subject's data.
func (r Record) NamesSubject() bool { return r.SubjectID != "" || r.Identifier != nil }

// Record is one lookup of one data subject. A Record is a plain value, safe
// to share once built.
type Record struct {
	// Time is when the API received the lookup, in UTC.
	Time time.Time `json:"time"`
	// Caller is the name configured with the bearer token that was presented.
	Caller string `json:"caller"`
	// Role is the caller's role (access_responder, dpo).
	Role string `json:"role"`
	// AccessRequest is the access request the lookup answers, empty when
	// the caller (the DPO) named none.
	AccessRequest string `json:"access_request"`
	// Endpoint is the route pattern, e.g. /v1/subjects/{subject_id}/events.
	Endpoint string `json:"endpoint"`
	// SubjectID is the customer id that was looked up (also the record key).
	SubjectID string `json:"subject_id"`
	// Identifier is, for a search by what a person presented, the keyed
	// hash searched for (never the value); SubjectID is then empty.
	Identifier *lineage.Identifier `json:"identifier,omitempty"`
	// PartyKind and Party name what the DPO asked about without naming a
	// subject: after a breach (recipient, source_system), the list of
	// subjects a recipient or source system holds data of; or (flags) a
	// list of the DPO's flags over every subject, Party naming it (consent:
	// uses after a withdrawal or an opt-out; erasure: the erasures not yet
	// confirmed). With no SubjectID the record is of the list, whose
	// subjects are not recorded one by one.
	PartyKind string `json:"party_kind,omitempty"`
	Party     string `json:"party,omitempty"`
	// Reason is why the DPO looked the subject up when no access request
	// was named (default ReasonOversight).
	Reason string `json:"reason,omitempty"`
	// From and To are the time window asked for, nil when not given.
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
	// Limit is the page size asked for, nil when not given.
	Limit *int `json:"limit"`
	// Cursor is the opaque page cursor given, nil when none was.
	Cursor *string `json:"cursor"`
	// RemoteAddr is the TCP peer of the request (host:port).
	RemoteAddr string `json:"remote_addr"`
	// RequestID is the X-Request-Id echoed to the caller.
	RequestID string `json:"request_id"`
	// TraceID is the W3C trace id of the request, empty without one.
	TraceID string `json:"trace_id"`
	// Outcome is always OutcomeRequested.
	Outcome string `json:"outcome"`
}

// Consultation source, purpose and categories of a lookup through the API.
// A lookup of a subject is itself a processing of the subject's data, so it
// is recorded as a lineage event and shows in the subject's consultations
// (CJEU C-579/21). The purpose and basis are the legal obligation to answer
// the data subject (GDPR Art. 12, Art. 15; policy §5.5, §6.2, §29); the
// categories read are the customer record and the lineage itself, which we
// file under "customer" (annex 1, cat. 5): the policy has no category for
// records of processing, so that choice is ours.
const (
	ConsultationSource   = "lineage_tracker"
	ConsultationPurpose  = "legal_obligation"
	ConsultationBasis    = "legal_obligation"
	ConsultationCategory = "customer"
)

// Attribute keys of a consultation event.
const (
	AttrAccessRequest = "access_request_id"
	AttrEndpoint      = "endpoint"
	AttrRequestID     = "request_id"
	// AttrLookupReason is set when no access request was named: the DPO
	// looking a subject up in oversight (GDPR Art. 39(1)(b)).
	AttrLookupReason = "lookup_reason"
	ReasonOversight  = "dpo_oversight"
	// ReasonBreachNotification: the DPO wrote the subject's letter after a
	// breach (GDPR Art. 34).
	ReasonBreachNotification = "breach_notification"
)

// Consultation returns the lineage event that records the lookup r: an
// access by the caller's role, the caller's name kept as the employee (for
// the DPO; reports print the role only). id is the event's id.
func (r Record) Consultation(id string) lineage.Event {
	at := r.Time.UTC().Truncate(time.Microsecond)
	attrs := map[string]string{AttrEndpoint: r.Endpoint}
	if r.RequestID != "" {
		attrs[AttrRequestID] = r.RequestID
	}
	if r.AccessRequest != "" {
		attrs[AttrAccessRequest] = r.AccessRequest
	} else {
		attrs[AttrLookupReason] = cmp.Or(r.Reason, ReasonOversight)
	}
	return lineage.Event{
		ID:           id,
		Kind:         lineage.Access,
		OccurredAt:   at,
		RecordedAt:   at,
		SourceSystem: ConsultationSource,
		Actor:        lineage.Actor{Type: lineage.EmployeeRole, ID: r.Role, Employee: lineage.Ptr(r.Caller)},
		SubjectID:    r.SubjectID,
		// A search consults whoever held the identifier: resolved like any
		// event known by an identifier, it shows in their reports.
		SubjectIdentifier: r.Identifier,
		DataCategories:    []string{ConsultationCategory},
		Purpose:           ConsultationPurpose,
		LegalBasis:        ConsultationBasis,
		Attributes:        attrs,
	}
}
