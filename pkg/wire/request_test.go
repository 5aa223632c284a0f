package wire

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

func TestRequestRoundTrip(t *testing.T) {
	c, err := NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	id := accessrequesttest.RequestID(1)
	// Nanoseconds are not kept: the schema has microseconds.
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	for _, want := range []accessrequest.Event{
		accessrequesttest.Received(id, 1, at),
		accessrequesttest.IdentityChecked(id, 2, at, "C00000042"),
		accessrequesttest.Extended(id, 3, at, 2, at.Add(time.Hour)),
		accessrequesttest.Answered(id, 4, at),
		accessrequesttest.Refused(id, 5, at),
	} {
		t.Run(string(want.Type), func(t *testing.T) {
			b, err := c.Append(nil, &want)
			if err != nil {
				t.Fatal(err)
			}
			got := accessrequest.Event{Reason: "left over from a previous decode"}
			if err := c.Decode(b, &got); err != nil {
				t.Fatal(err)
			}
			want.At = want.At.Truncate(time.Microsecond)
			want.RecordedAt = want.RecordedAt.Truncate(time.Microsecond)
			if !want.SubjectToldAt.IsZero() {
				want.SubjectToldAt = want.SubjectToldAt.Truncate(time.Microsecond)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if err := got.Validate(at.Add(time.Hour)); err != nil {
				t.Errorf("decoded event invalid: %v", err)
			}
		})
	}
}

func TestRequestPoison(t *testing.T) {
	c, err := NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	e := accessrequesttest.Answered(accessrequesttest.RequestID(1), 1, lineagetest.Base)
	good, err := c.Append(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	links, err := NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	l := lineagetest.Link("C00000001", lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Base, time.Time{})
	link, err := links.Append(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	// The type follows the event id and the request id, each a one-byte
	// length and the text: answered is symbol 4, zigzag 8.
	typeAt := soeHeaderLen + 1 + len(e.EventID) + 1 + len(e.RequestID)
	if good[typeAt] != 8 {
		t.Fatalf("byte %d is %#x, not the type answered", typeAt, good[typeAt])
	}
	badSymbol := append([]byte(nil), good...)
	badSymbol[typeAt] = 0x7e // symbol 63, past the enum's symbols
	for name, tc := range map[string]struct {
		value  []byte
		reason string
	}{
		"truncated":           {good[:len(good)-3], ReasonMalformed},
		"enum out of range":   {badSymbol, ReasonMalformed},
		"an identity link":    {link, ReasonUnknownSchema},
		"json":                {[]byte(`{"request_id":"AR-2026-000001"}`), ReasonUnknownFormat},
		"oversized":           {make([]byte, MaxRecordBytes+1), ReasonOversized},
		"confluent framing":   {append([]byte{0, 0, 0, 0, 1}, good[soeHeaderLen:]...), ReasonUnknownFormat},
		"empty":               {nil, ReasonUnknownFormat},
		"header without body": {good[:soeHeaderLen], ReasonMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			var got accessrequest.Event
			var pe *PoisonError
			if err := c.Decode(tc.value, &got); !errors.As(err, &pe) || pe.Reason != tc.reason {
				t.Fatalf("Decode = %v, want poison %s", err, tc.reason)
			}
		})
	}
}
