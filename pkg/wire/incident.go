package wire

import (
	"time"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/schemas"
)

// IncidentCodec encodes and decodes personal-data breach incident events
// (schemas/incidents) in Avro single-object encoding. Incidents are few,
// so it decodes with hamba alone. Safe for concurrent use.
type IncidentCodec struct{ soe soeCodec }

// NewIncidentCodec builds a codec that writes the newest published
// incident schema and reads every published version.
func NewIncidentCodec() (*IncidentCodec, error) {
	soe, err := newSOECodec("incident event", schemas.IncidentVersions)
	if err != nil {
		return nil, err
	}
	return &IncidentCodec{soe: soe}, nil
}

// Append encodes e in single-object encoding, appended to dst. It does not
// validate e: the caller does that first. Times keep microseconds.
func (c *IncidentCodec) Append(dst []byte, e *incident.Event) ([]byte, error) {
	r := incidentRecordOf(e)
	return c.soe.append(dst, &r)
}

// Decode fills e from a record value; e is overwritten, its times in UTC.
// Every error is a *PoisonError: a counted record that lacks a count is
// one too, since decoding its null as 0 would report a breach that exposes
// nobody.
func (c *IncidentCodec) Decode(b []byte, e *incident.Event) error {
	var r incidentRecord
	if err := c.soe.decode(b, &r); err != nil {
		return err
	}
	if r.Type == string(incident.Counted) && (r.Subjects == nil || r.Events == nil || r.Approximate == nil) {
		return poison(ReasonMalformed, "counted incident event without subjects, events or approximate")
	}
	*e = r.event()
	return nil
}

// incidentRecord is the Go shape of the schema: the domain's zero values
// (an empty string, no time) are the schema's nulls. The counts are the
// exception: 0 subjects and an exact count (approximate false) are values,
// so a counted event always writes them.
type incidentRecord struct {
	EventID     string     `avro:"event_id"`
	IncidentID  string     `avro:"incident_id"`
	Type        string     `avro:"type"`
	At          time.Time  `avro:"at"`
	RecordedAt  time.Time  `avro:"recorded_at"`
	Actor       string     `avro:"actor"`
	PartyKind   *string    `avro:"party_kind"`
	Party       *string    `avro:"party"`
	WindowFrom  *time.Time `avro:"window_from"`
	WindowTo    *time.Time `avro:"window_to"`
	Nature      *string    `avro:"nature"`
	Subjects    *int64     `avro:"subjects"`
	Events      *int64     `avro:"events"`
	Approximate *bool      `avro:"approximate"`
	Authority   *string    `avro:"authority"`
	Reference   *string    `avro:"reference"`
	Reason      *string    `avro:"reason"`
}

func incidentRecordOf(e *incident.Event) incidentRecord {
	r := incidentRecord{
		EventID: e.EventID, IncidentID: e.IncidentID, Type: string(e.Type),
		At: e.At, RecordedAt: e.RecordedAt, Actor: e.Actor,
		PartyKind: nonEmpty(string(e.PartyKind)),
		Party:     nonEmpty(e.Party),
		Nature:    nonEmpty(e.Nature),
		Authority: nonEmpty(e.Authority),
		Reference: nonEmpty(e.Reference),
		Reason:    nonEmpty(e.Reason),
	}
	if !e.WindowFrom.IsZero() {
		r.WindowFrom = &e.WindowFrom
	}
	if !e.WindowTo.IsZero() {
		r.WindowTo = &e.WindowTo
	}
	// Counts of another type are written too, not dropped, so that the
	// reader's Validate refuses them as the writer's would have.
	counted := e.Type == incident.Counted
	if counted || e.Subjects != 0 {
		r.Subjects = &e.Subjects
	}
	if counted || e.Events != 0 {
		r.Events = &e.Events
	}
	if counted || e.Approximate {
		r.Approximate = &e.Approximate
	}
	return r
}

func (r *incidentRecord) event() incident.Event {
	e := incident.Event{
		EventID: r.EventID, IncidentID: r.IncidentID, Type: incident.Type(r.Type),
		At: r.At, RecordedAt: r.RecordedAt, Actor: r.Actor,
		PartyKind: incident.PartyKind(lineage.Deref(r.PartyKind)),
		Party:     lineage.Deref(r.Party),
		Nature:    lineage.Deref(r.Nature),
		Authority: lineage.Deref(r.Authority),
		Reference: lineage.Deref(r.Reference),
		Reason:    lineage.Deref(r.Reason),
	}
	if r.WindowFrom != nil {
		e.WindowFrom = *r.WindowFrom
	}
	if r.WindowTo != nil {
		e.WindowTo = *r.WindowTo
	}
	if r.Subjects != nil {
		e.Subjects = *r.Subjects
	}
	if r.Events != nil {
		e.Events = *r.Events
	}
	if r.Approximate != nil {
		e.Approximate = *r.Approximate
	}
	return e
}
