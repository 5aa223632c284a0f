// Package audit defines the record the query API writes to the audit topic
// (lineage.audit.v1) for every lookup of a data subject, before the lookup is
// answered. Its JSON shape is a contract with whoever reads the topic (the
// DPO's reports); fields are only ever added.
//
// The package is plain data: the Kafka writer lives in kafkaaudit.
package audit

import "time"

// OutcomeRequested is the outcome of every record: the record is written
// before the lookup runs, so all it can say is that the lookup was asked for.
const OutcomeRequested = "requested"

// Record is one lookup of one data subject. A Record is a plain value, safe
// to share once built.
type Record struct {
	// Time is when the API received the lookup, in UTC.
	Time time.Time `json:"time"`
	// Caller is the name configured with the bearer token that was presented.
	Caller string `json:"caller"`
	// Endpoint is the route pattern, e.g. /v1/subjects/{subject_id}/events.
	Endpoint string `json:"endpoint"`
	// SubjectID is the customer id that was looked up (also the record key).
	SubjectID string `json:"subject_id"`
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
