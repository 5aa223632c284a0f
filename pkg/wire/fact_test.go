package wire

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/subjectfact"
)

func TestFactRoundTrip(t *testing.T) {
	c, err := NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	// Nanoseconds are not kept: the schema has microseconds.
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	base := subjectfact.Fact{ID: "6f1c3a52-8d0e-4b7a-9c21-3e5f7a9b1c2d", At: at, RecordedAt: at.Add(time.Second),
		SourceSystem: "crm", Actor: "crm-consents", SubjectID: "C00000042"}
	with := func(typ subjectfact.Type, edit func(*subjectfact.Fact)) subjectfact.Fact {
		f := base
		f.Type = typ
		edit(&f)
		return f
	}
	for _, want := range []subjectfact.Fact{
		with(subjectfact.ConsentGiven, func(f *subjectfact.Fact) { f.Purpose, f.Channel = "commercial_communication", "shop" }),
		with(subjectfact.ConsentWithdrawn, func(f *subjectfact.Fact) { f.Purpose, f.Channel = "planning_analytics", "app" }),
		with(subjectfact.OptedOut, func(f *subjectfact.Fact) { f.Channel = "phone" }),
		with(subjectfact.ErasureRequested, func(f *subjectfact.Fact) { f.Reference = "ER-2026-1" }),
		with(subjectfact.ErasureNotified, func(f *subjectfact.Fact) { f.RecipientID = "rcp-bank" }),
		with(subjectfact.ErasureConfirmed, func(f *subjectfact.Fact) { f.RecipientID = "rcp-bank" }),
		with(subjectfact.LawfulRequestUnmet, func(f *subjectfact.Fact) {
			f.SubjectID, f.RecipientID, f.Reference, f.Reason = "", "rcp-police", "VP-17", "older than 18 months"
		}),
	} {
		t.Run(string(want.Type), func(t *testing.T) {
			b, err := c.Append(nil, &want)
			if err != nil {
				t.Fatal(err)
			}
			got := subjectfact.Fact{Reason: "left over from a previous decode"}
			if err := c.Decode(b, &got); err != nil {
				t.Fatal(err)
			}
			want.At, want.RecordedAt = want.At.Truncate(time.Microsecond), want.RecordedAt.Truncate(time.Microsecond)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if err := got.Validate(at.Add(time.Hour)); err != nil {
				t.Errorf("decoded fact invalid: %v", err)
			}
		})
	}
	var pe *PoisonError
	if err := c.Decode([]byte(`{"type":"opted_out"}`), &subjectfact.Fact{}); !errors.As(err, &pe) || pe.Reason != ReasonUnknownFormat {
		t.Errorf("json decoded: %v", err)
	}
}
