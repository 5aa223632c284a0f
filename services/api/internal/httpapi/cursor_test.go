package httpapi

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"

	"github.com/balticom/lineage/services/chstore"
)

func cursorAt(at time.Time, id string) chstore.Cursor {
	return chstore.Cursor{OccurredAt: at, EventID: id}
}

func TestCursorRoundTrip(t *testing.T) {
	tests := []chstore.Cursor{
		cursorAt(time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC), "00000000-0000-4000-8000-000000000001"),
		cursorAt(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "0F8FAD5B-D9CB-469F-A165-70867728950E"),
		cursorAt(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), "0f8fad5b-d9cb-469f-a165-70867728950e"),
	}
	for _, want := range tests {
		s := encodeCursor(want)
		got, err := decodeCursor(s)
		if err != nil {
			t.Fatalf("decodeCursor(encodeCursor(%v)): %v", want, err)
		}
		if !got.OccurredAt.Equal(want.OccurredAt) || got.EventID != want.EventID || got.OccurredAt.Location() != time.UTC {
			t.Errorf("round trip of %v gave %v", want, got)
		}
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	raw := func(version byte, us int64, id string) string {
		b := append([]byte{version}, binary.BigEndian.AppendUint64(nil, uint64(us))...)
		return base64.RawURLEncoding.EncodeToString(append(b, id...))
	}
	good := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	id := "0f8fad5b-d9cb-469f-a165-70867728950e"
	tests := map[string]string{
		"empty":            "",
		"not base64":       "!!!!",
		"short":            raw(1, good, id)[:40],
		"padded":           raw(1, good, id) + "=",
		"std alphabet":     base64.StdEncoding.EncodeToString([]byte("x")),
		"version 2":        raw(2, good, id),
		"before 2000":      raw(1, time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC).UnixMicro(), id),
		"negative":         raw(1, -1, id),
		"after 9999":       raw(1, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), id),
		"not a uuid":       raw(1, good, "0f8fad5b-d9cb-469f-a165-70867728950g"),
		"subject as id":    raw(1, good, "C1234567----------------------------"),
		"trailing garbage": raw(1, good, id) + "AA",
		"carriage return":  raw(1, good, id)[:11] + "\r" + raw(1, good, id)[11:],
		"line feed":        raw(1, good, id)[:11] + "\n" + raw(1, good, id)[11:],
	}
	for name, s := range tests {
		if c, err := decodeCursor(s); err == nil {
			t.Errorf("%s: decodeCursor(%q) = %v, want an error", name, s, c)
		}
	}
	if _, err := decodeCursor(raw(1, good, id)); err != nil {
		t.Errorf("control: %v", err)
	}
}
