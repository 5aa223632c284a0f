package wire

import (
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/schemas"
)

// RequestCodec encodes and decodes access request events
// (schemas/requests) in Avro single-object encoding. Requests are few, so
// it decodes with hamba alone. Safe for concurrent use.
type RequestCodec struct{ soe soeCodec }

// NewRequestCodec builds a codec that writes the newest published access
// request schema and reads every published version.
func NewRequestCodec() (*RequestCodec, error) {
	soe, err := newSOECodec("access request event", schemas.AccessRequestVersions)
	if err != nil {
		return nil, err
	}
	return &RequestCodec{soe: soe}, nil
}

// Append encodes e in single-object encoding, appended to dst. It does not
// validate e: the caller does that first. Times keep microseconds.
func (c *RequestCodec) Append(dst []byte, e *accessrequest.Event) ([]byte, error) {
	r := requestRecordOf(e)
	return c.soe.append(dst, &r)
}

// Decode fills e from a record value; e is overwritten, its times in UTC.
// Every error is a *PoisonError.
func (c *RequestCodec) Decode(b []byte, e *accessrequest.Event) error {
	var r requestRecord
	if err := c.soe.decode(b, &r); err != nil {
		return err
	}
	*e = r.event()
	return nil
}

// requestRecord is the Go shape of the schema: the domain's zero values
// (an empty code, no time, no months) are the schema's nulls.
type requestRecord struct {
	EventID         string     `avro:"event_id"`
	RequestID       string     `avro:"request_id"`
	Type            string     `avro:"type"`
	At              time.Time  `avro:"at"`
	RecordedAt      time.Time  `avro:"recorded_at"`
	Actor           string     `avro:"actor"`
	Channel         *string    `avro:"channel"`
	SubjectID       *string    `avro:"subject_id"`
	IdentityMethod  *string    `avro:"identity_method"`
	ExtensionMonths *int       `avro:"extension_months"`
	SubjectToldAt   *time.Time `avro:"subject_told_at"`
	Reason          *string    `avro:"reason"`
	ReportHash      *string    `avro:"report_hash"`
	Format          *string    `avro:"format"`
	Language        *string    `avro:"language"`
	DeliveryChannel *string    `avro:"delivery_channel"`
}

func requestRecordOf(e *accessrequest.Event) requestRecord {
	r := requestRecord{
		EventID: e.EventID, RequestID: e.RequestID, Type: string(e.Type),
		At: e.At, RecordedAt: e.RecordedAt, Actor: e.Actor,
		Channel:         nonEmpty(string(e.Channel)),
		SubjectID:       nonEmpty(e.SubjectID),
		IdentityMethod:  nonEmpty(string(e.Method)),
		Reason:          nonEmpty(e.Reason),
		ReportHash:      nonEmpty(e.ReportHash),
		Format:          nonEmpty(string(e.Format)),
		Language:        nonEmpty(string(e.Language)),
		DeliveryChannel: nonEmpty(string(e.DeliveryChannel)),
	}
	if e.ExtensionMonths != 0 {
		r.ExtensionMonths = &e.ExtensionMonths
	}
	if !e.SubjectToldAt.IsZero() {
		r.SubjectToldAt = &e.SubjectToldAt
	}
	return r
}

func (r *requestRecord) event() accessrequest.Event {
	e := accessrequest.Event{
		EventID: r.EventID, RequestID: r.RequestID, Type: accessrequest.Type(r.Type),
		At: r.At, RecordedAt: r.RecordedAt, Actor: r.Actor,
		Channel:         accessrequest.Channel(lineage.Deref(r.Channel)),
		SubjectID:       lineage.Deref(r.SubjectID),
		Method:          accessrequest.IdentityMethod(lineage.Deref(r.IdentityMethod)),
		Reason:          lineage.Deref(r.Reason),
		ReportHash:      lineage.Deref(r.ReportHash),
		Format:          accessrequest.Format(lineage.Deref(r.Format)),
		Language:        accessrequest.Language(lineage.Deref(r.Language)),
		DeliveryChannel: accessrequest.DeliveryChannel(lineage.Deref(r.DeliveryChannel)),
	}
	if r.ExtensionMonths != nil {
		e.ExtensionMonths = *r.ExtensionMonths
	}
	if r.SubjectToldAt != nil {
		e.SubjectToldAt = *r.SubjectToldAt
	}
	return e
}

// nonEmpty is s as an optional field: nil when empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
