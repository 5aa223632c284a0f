package wire

import (
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/schemas"
)

// FactCodec encodes and decodes subject facts (schemas/facts) in Avro
// single-object encoding. Facts are few, so it decodes with hamba alone.
// Safe for concurrent use.
type FactCodec struct{ soe soeCodec }

// NewFactCodec builds a codec that writes the newest published subject
// fact schema and reads every published version.
func NewFactCodec() (*FactCodec, error) {
	soe, err := newSOECodec("subject fact", schemas.SubjectFactVersions)
	if err != nil {
		return nil, err
	}
	return &FactCodec{soe: soe}, nil
}

// Append encodes f in single-object encoding, appended to dst. It does not
// validate f: the caller does that first. Times keep microseconds.
func (c *FactCodec) Append(dst []byte, f *subjectfact.Fact) ([]byte, error) {
	r := factRecord{
		FactID: f.ID, Type: string(f.Type), At: f.At, RecordedAt: f.RecordedAt,
		SourceSystem: f.SourceSystem, Actor: f.Actor,
		SubjectID:   nonEmpty(f.SubjectID),
		Purpose:     nonEmpty(f.Purpose),
		Channel:     nonEmpty(string(f.Channel)),
		RecipientID: nonEmpty(f.RecipientID),
		Reference:   nonEmpty(f.Reference),
		Reason:      nonEmpty(f.Reason),
	}
	return c.soe.append(dst, &r)
}

// Decode fills f from a record value; f is overwritten, its times in UTC.
// Every error is a *PoisonError.
func (c *FactCodec) Decode(b []byte, f *subjectfact.Fact) error {
	var r factRecord
	if err := c.soe.decode(b, &r); err != nil {
		return err
	}
	*f = subjectfact.Fact{
		ID: r.FactID, Type: subjectfact.Type(r.Type), At: r.At, RecordedAt: r.RecordedAt,
		SourceSystem: r.SourceSystem, Actor: r.Actor,
		SubjectID:   lineage.Deref(r.SubjectID),
		Purpose:     lineage.Deref(r.Purpose),
		Channel:     subjectfact.Channel(lineage.Deref(r.Channel)),
		RecipientID: lineage.Deref(r.RecipientID),
		Reference:   lineage.Deref(r.Reference),
		Reason:      lineage.Deref(r.Reason),
	}
	return nil
}

// factRecord is the Go shape of the schema: the domain's empty strings are
// the schema's nulls.
type factRecord struct {
	FactID       string    `avro:"fact_id"`
	Type         string    `avro:"type"`
	At           time.Time `avro:"at"`
	RecordedAt   time.Time `avro:"recorded_at"`
	SourceSystem string    `avro:"source_system"`
	Actor        string    `avro:"actor"`
	SubjectID    *string   `avro:"subject_id"`
	Purpose      *string   `avro:"purpose"`
	Channel      *string   `avro:"channel"`
	RecipientID  *string   `avro:"recipient_id"`
	Reference    *string   `avro:"reference"`
	Reason       *string   `avro:"reason"`
}
