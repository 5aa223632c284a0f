package httpapi

import (
	"errors"
	"testing"
	"time"
)

func TestParseLookup(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	cursor := encodeCursor(cursorAt(time.Date(2026, 1, 5, 12, 0, 0, 1000, time.UTC), "00000000-0000-4000-8000-000000000001"))
	tests := []struct {
		name      string
		subject   string
		query     string
		allowed   []string
		want      lookup
		wantCode  string
		wantField string
	}{
		{name: "no parameters", subject: "C1234567", allowed: eventsParams,
			want: lookup{SubjectID: "C1234567", Limit: DefaultLimit}},
		{name: "seven digits", subject: "C1234567", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567", Limit: DefaultLimit}},
		{name: "ten digits", subject: "C1234567890", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567890", Limit: DefaultLimit}},
		{name: "dates", subject: "C1234567", query: "from=2026-01-01&to=2026-01-31", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567", From: day(1), To: day(31), Limit: DefaultLimit}},
		{name: "offset converted to UTC", subject: "C1234567", query: "from=2026-01-02T02:00:00%2B02:00", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567", From: day(2), Limit: DefaultLimit}},
		{name: "fractional seconds", subject: "C1234567", query: "to=2026-01-02T00:00:00.000001Z", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567", To: day(2).Add(time.Microsecond), Limit: DefaultLimit}},
		{name: "only to", subject: "C1234567", query: "to=2026-01-31", allowed: recipientsParams,
			want: lookup{SubjectID: "C1234567", To: day(31), Limit: DefaultLimit}},
		{name: "limit bounds", subject: "C1234567", query: "limit=1000", allowed: eventsParams,
			want: lookup{SubjectID: "C1234567", Limit: 1000, LimitSet: true}},
		{name: "limit 1", subject: "C1234567", query: "limit=1", allowed: eventsParams,
			want: lookup{SubjectID: "C1234567", Limit: 1, LimitSet: true}},

		{name: "phone number", subject: "29123456", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "subject_id"},
		{name: "personal code", subject: "010190-12345", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "subject_id"},
		{name: "lowercase c", subject: "c1234567", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "subject_id"},
		{name: "six digits", subject: "C123456", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "subject_id"},
		{name: "subject checked first", subject: "x", query: "form=1", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "subject_id"},
		{name: "bad escape", subject: "C1234567", query: "from=%zz", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "query"},
		{name: "typo", subject: "C1234567", query: "form=2026-01-01", allowed: recipientsParams, wantCode: codeUnknownParameter, wantField: "form"},
		{name: "cursor on recipients", subject: "C1234567", query: "cursor=" + cursor, allowed: recipientsParams, wantCode: codeUnknownParameter, wantField: "cursor"},
		{name: "empty name", subject: "C1234567", query: "=x", allowed: recipientsParams, wantCode: codeUnknownParameter, wantField: ""},
		{name: "repeated", subject: "C1234567", query: "from=2026-01-01&from=2026-01-02", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "empty from", subject: "C1234567", query: "from=", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "from without value", subject: "C1234567", query: "from", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "european date", subject: "C1234567", query: "from=31.01.2026", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "unix seconds", subject: "C1234567", query: "to=1767225600", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "to"},
		{name: "no zone", subject: "C1234567", query: "to=2026-01-01T00:00:00", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "to"},
		{name: "from after to", subject: "C1234567", query: "from=2026-02-01&to=2026-01-01", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "from equals to", subject: "C1234567", query: "from=2026-01-01&to=2026-01-01", allowed: recipientsParams, wantCode: codeInvalidParameter, wantField: "from"},
		{name: "limit 0", subject: "C1234567", query: "limit=0", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "limit"},
		{name: "limit 1001", subject: "C1234567", query: "limit=1001", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "limit"},
		{name: "limit negative", subject: "C1234567", query: "limit=-5", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "limit"},
		{name: "limit not a number", subject: "C1234567", query: "limit=ten", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "limit"},
		{name: "limit huge", subject: "C1234567", query: "limit=99999999999999999999", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "limit"},
		{name: "bad cursor", subject: "C1234567", query: "cursor=abc", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "cursor"},
		{name: "padded cursor", subject: "C1234567", query: "cursor=" + cursor + "%3D", allowed: eventsParams, wantCode: codeInvalidParameter, wantField: "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLookup(tt.subject, tt.query, tt.allowed)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("parseLookup: %v", err)
				}
				if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) ||
					got.SubjectID != tt.want.SubjectID || got.Limit != tt.want.Limit || got.LimitSet != tt.want.LimitSet ||
					got.After != nil || got.Cursor != nil {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParamError", err)
			}
			if pe.Code != tt.wantCode || pe.Field != tt.wantField || pe.Rule == "" {
				t.Errorf("err = %+v, want code %q field %q and a rule", pe, tt.wantCode, tt.wantField)
			}
		})
	}
}

func TestParseLookupCursor(t *testing.T) {
	at := time.Date(2026, 1, 5, 12, 0, 0, 123456000, time.UTC)
	id := "0f8fad5b-d9cb-469f-a165-70867728950e"
	c := encodeCursor(cursorAt(at, id))
	got, err := parseLookup("C1234567", "cursor="+c+"&limit=10", eventsParams)
	if err != nil {
		t.Fatalf("parseLookup: %v", err)
	}
	if got.After == nil || !got.After.OccurredAt.Equal(at) || got.After.EventID != id {
		t.Errorf("After = %+v, want %s %s", got.After, at, id)
	}
	if got.Cursor == nil || *got.Cursor != c {
		t.Errorf("Cursor = %v, want the given text", got.Cursor)
	}
}
