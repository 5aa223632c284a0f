package httpapi

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseParams checks that parsing never panics and that whatever it
// accepts keeps the rules: a valid subject, from before to, a limit in
// range, a cursor that encodes back to what was given.
func FuzzParseParams(f *testing.F) {
	c := encodeCursor(cursorAt(time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC), "0f8fad5b-d9cb-469f-a165-70867728950e"))
	seeds := []struct{ subject, query string }{
		{"C1234567", ""},
		{"C1234567890", "from=2026-01-01&to=2026-02-01"},
		{"C1234567", "from=2026-01-01T00:00:00Z&to=2026-01-31T23:59:59.999999%2B02:00&limit=1000"},
		{"C1234567", "limit=0"},
		{"C1234567", "limit=1001&cursor=" + c},
		{"C1234567", "cursor=" + c},
		{"C1234567", "cursor=" + c[:11] + "%0D" + c[11:]},
		{"C1234567", "form=2026-01-01"},
		{"C1234567", "from=%zz"},
		{"C1234567", "from=2026-02-01&to=2026-01-01"},
		{"29123456", ""},
		{"010190-12345", "to=2026-01-01"},
		{"C", ";;&&=="},
		{"C1234567", "cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	}
	for _, s := range seeds {
		f.Add(s.subject, s.query)
	}
	f.Fuzz(func(t *testing.T, subject, query string) {
		for _, allowed := range [][]string{recipientsParams, eventsParams} {
			l, err := parseLookup(subject, query, allowed)
			if err != nil {
				var pe *ParamError
				if !errors.As(err, &pe) || pe.Rule == "" || (pe.Code != codeInvalidParameter && pe.Code != codeUnknownParameter) {
					t.Fatalf("parseLookup(%q, %q): error %v is not a complete *ParamError", subject, query, err)
				}
				if len(pe.Field) > maxEchoedName {
					t.Fatalf("field %q longer than %d bytes", pe.Field, maxEchoedName)
				}
				continue
			}
			if l.SubjectID != subject {
				t.Fatalf("subject %q became %q", subject, l.SubjectID)
			}
			if !l.From.IsZero() && !l.To.IsZero() && !l.From.Before(l.To) {
				t.Fatalf("accepted from %v not before to %v", l.From, l.To)
			}
			if l.Limit < 1 || l.Limit > MaxLimit {
				t.Fatalf("accepted limit %d", l.Limit)
			}
			if (l.After == nil) != (l.Cursor == nil) {
				t.Fatalf("After %v and Cursor %v disagree", l.After, l.Cursor)
			}
			if l.After != nil && encodeCursor(*l.After) != *l.Cursor {
				t.Fatalf("cursor %q decodes to %v, which encodes differently", *l.Cursor, *l.After)
			}
		}
	})
}
