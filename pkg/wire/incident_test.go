package wire

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/schemas"
)

// incidentFixtures are one valid event of each type, with nanoseconds
// that the schema's microseconds drop.
func incidentFixtures() []incident.Event {
	id := incidenttest.IncidentID(1)
	at := time.Date(2026, 3, 7, 21, 40, 0, 123456789, time.UTC)
	return []incident.Event{
		incidenttest.Opened(id, 1, at),
		incidenttest.Counted(id, 2, at, 1200, 1500, true),
		// An exact count of nobody: 0 and false are values, not nulls.
		incidenttest.Counted(id, 3, at, 0, 0, false),
		incidenttest.Notified(id, 4, at),
		incidenttest.Closed(id, 5, at),
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	c, err := NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range incidentFixtures() {
		t.Run(string(want.Type), func(t *testing.T) {
			b, err := c.Append(nil, &want)
			if err != nil {
				t.Fatal(err)
			}
			got := incident.Event{Reason: "left over from a previous decode", Subjects: 9}
			if err := c.Decode(b, &got); err != nil {
				t.Fatal(err)
			}
			for _, tp := range []*time.Time{&want.At, &want.RecordedAt, &want.WindowFrom, &want.WindowTo} {
				*tp = tp.Truncate(time.Microsecond)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if err := got.Validate(want.At.Add(time.Hour)); err != nil {
				t.Errorf("decoded event invalid: %v", err)
			}
		})
	}
}

// TestIncidentPlainAvro: a reader with nothing but the published schema
// and any Avro library sees each type's fields, and nulls for the others.
func TestIncidentPlainAvro(t *testing.T) {
	c, err := NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	versions, err := schemas.IncidentVersions()
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) == 0 {
		t.Fatal("no incident schema published")
	}
	schema, err := avro.ParseWithCache(versions[len(versions)-1], "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	fx := incidentFixtures()
	at := fx[0].At.Truncate(time.Microsecond)
	common := map[string]any{
		"event_id": fx[0].EventID, "incident_id": incidenttest.IncidentID(1),
		"at": at, "recorded_at": at.Add(time.Minute), "actor": incidenttest.Actor,
		"party_kind": nil, "party": nil, "window_from": nil, "window_to": nil, "nature": nil,
		"subjects": nil, "events": nil, "approximate": nil,
		"authority": nil, "reference": nil, "reason": nil,
	}
	with := func(e incident.Event, fields map[string]any) map[string]any {
		m := make(map[string]any, len(common))
		for k, v := range common {
			m[k] = v
		}
		m["event_id"], m["type"] = e.EventID, string(e.Type)
		for k, v := range fields {
			m[k] = v
		}
		return m
	}
	wants := []map[string]any{
		with(fx[0], map[string]any{
			"party_kind": "recipient", "party": incidenttest.Party,
			"window_from": at.Add(-30 * 24 * time.Hour), "window_to": at, "nature": fx[0].Nature,
		}),
		with(fx[1], map[string]any{"subjects": int64(1200), "events": int64(1500), "approximate": true}),
		with(fx[2], map[string]any{"subjects": int64(0), "events": int64(0), "approximate": false}),
		with(fx[3], map[string]any{"authority": "Datu valsts inspekcija", "reference": "DVI-2026-0042"}),
		with(fx[4], map[string]any{"reason": fx[4].Reason}),
	}
	for i, e := range fx {
		t.Run(string(e.Type), func(t *testing.T) {
			b, err := c.Append(nil, &e)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := avro.Unmarshal(schema, b[soeHeaderLen:], &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range got {
				if tm, ok := v.(time.Time); ok {
					got[k] = tm.UTC()
				}
			}
			if !reflect.DeepEqual(got, wants[i]) {
				t.Errorf("got  %v\nwant %v", got, wants[i])
			}
		})
	}
}

func TestIncidentPoison(t *testing.T) {
	c, err := NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	e := incidenttest.Counted(incidenttest.IncidentID(1), 1, time.Date(2026, 3, 7, 21, 40, 0, 0, time.UTC), 0, 0, false)
	good, err := c.Append(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	// A counted record written by another producer without its counts:
	// decoded as 0 subjects it would say the breach exposed nobody.
	r := incidentRecordOf(&e)
	r.Subjects = nil
	uncounted, err := c.soe.append(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	requests, err := NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	request, err := requests.soe.append(nil, &requestRecord{Type: "received"})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		value  []byte
		reason string
	}{
		"truncated":           {good[:len(good)-2], ReasonMalformed},
		"counted, no count":   {uncounted, ReasonMalformed},
		"an access request":   {request, ReasonUnknownSchema},
		"json":                {[]byte(`{"incident_id":"IN-2026-000001"}`), ReasonUnknownFormat},
		"oversized":           {make([]byte, MaxRecordBytes+1), ReasonOversized},
		"empty":               {nil, ReasonUnknownFormat},
		"header without body": {good[:soeHeaderLen], ReasonMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			var got incident.Event
			var pe *PoisonError
			if err := c.Decode(tc.value, &got); !errors.As(err, &pe) || pe.Reason != tc.reason {
				t.Fatalf("Decode = %v, want poison %s", err, tc.reason)
			}
		})
	}
}
