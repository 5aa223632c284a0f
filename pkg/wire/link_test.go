package wire

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/schemas"
)

func TestLinkRoundTrip(t *testing.T) {
	c, err := NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	ident := lineagetest.Identifier(lineage.MSISDN, 1)
	from := lineagetest.Base.Add(-24 * time.Hour)
	for _, want := range []lineage.IdentityLink{
		lineagetest.Link("C00000001", ident, from, time.Time{}),
		lineagetest.Link("C00000001", ident, from, lineagetest.Base),
		func() lineage.IdentityLink {
			l := lineagetest.Link("C00000002", ident, from, lineagetest.Base)
			l.Retracted = true
			return l
		}(),
	} {
		b, err := c.Append(nil, &want)
		if err != nil {
			t.Fatal(err)
		}
		var got lineage.IdentityLink
		if err := c.Decode(b, &got); err != nil {
			t.Fatal(err)
		}
		// Times come back in UTC; compare instants.
		if !got.ValidFrom.Equal(want.ValidFrom) || !got.RecordedAt.Equal(want.RecordedAt) ||
			(got.ValidTo == nil) != (want.ValidTo == nil) || got.ValidTo != nil && !got.ValidTo.Equal(*want.ValidTo) {
			t.Errorf("times: got %+v, want %+v", got, want)
		}
		got.ValidFrom, got.RecordedAt, got.ValidTo = want.ValidFrom, want.RecordedAt, want.ValidTo
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
}

func TestLinkPoison(t *testing.T) {
	c, err := NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	l := lineagetest.Link("C00000001", lineagetest.Identifier(lineage.IPAddress, 1), lineagetest.Base, time.Time{})
	good, err := c.Append(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	events, err := New()
	if err != nil {
		t.Fatal(err)
	}
	event := encode(t, events, lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base))
	for name, tc := range map[string]struct {
		value  []byte
		reason string
	}{
		"truncated":         {good[:len(good)-3], ReasonMalformed},
		"a lineage event":   {event, ReasonUnknownSchema},
		"json":              {[]byte(`{"subject_id":"C00000001"}`), ReasonUnknownFormat},
		"oversized":         {make([]byte, MaxRecordBytes+1), ReasonOversized},
		"confluent framing": {append([]byte{0, 0, 0, 0, 1}, good[soeHeaderLen:]...), ReasonUnknownFormat},
	} {
		t.Run(name, func(t *testing.T) {
			var got lineage.IdentityLink
			var pe *PoisonError
			if err := c.Decode(tc.value, &got); !errors.As(err, &pe) || pe.Reason != tc.reason {
				t.Fatalf("Decode = %v, want poison %s", err, tc.reason)
			}
		})
	}
}

// TestVersion1RecordsStillRead: records producers wrote before version 2
// (without subject_identifier) decode, on both paths, with no identifier.
func TestVersion1RecordsStillRead(t *testing.T) {
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) < 2 {
		t.Fatal("version 2 of the lineage schema is not published")
	}
	v1, err := newCodec(versions[0], versions)
	if err != nil {
		t.Fatal(err)
	}
	current := newTestCodec(t)
	want := lineagetest.Transfer(lineagetest.UUID(4), "C00000004", lineagetest.Base)
	value := encode(t, v1, want)
	var fromCodec, fromDecoder lineage.Event
	errCodec := current.Decode(context.Background(), value, &fromCodec)
	errDecoder := current.NewDecoder().Decode(context.Background(), value, &fromDecoder)
	sameDecoding(t, value, errCodec, errDecoder, fromCodec, fromDecoder)
	if errCodec != nil || fromCodec.SubjectID != want.SubjectID || fromCodec.SubjectIdentifier != nil {
		t.Fatalf("version 1 record: %v, %+v", errCodec, fromCodec)
	}
}
