package breachletter

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	base := Letter{
		SubjectID: "C01234567", Date: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), Reference: "INC-7",
		Party: "Swedbank AS", Nature: "NATURE", Measures: "MEASURES",
		First: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		Categories: []string{"contact", "billing"}, DPOContact: "klients@balticom.info",
	}
	tests := []struct {
		lang string
		// want appear in this order: the harmful category before the other.
		want []string
	}{
		{"en", []string{"Notice of a personal data breach", "C01234567", "INC-7", "NATURE", "held by Swedbank AS",
			"Billing and settlement data", "Contact details", "between 2026-03-02 and 2026-03-04",
			"payment fraud", "MEASURES", "klients@balticom.info", "Data State Inspectorate"}},
		{"lv", []string{"Paziņojums par personas datu aizsardzības pārkāpumu", "C01234567", "INC-7", "NATURE", "apstrādāja Swedbank AS",
			"Norēķinu dati", "Personas kontaktinformācija", "no 2026-03-02 līdz 2026-03-04",
			"maksājumu krāpšana", "MEASURES", "klients@balticom.info", "Datu valsts inspekcijai"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := base
			l.Lang = tt.lang
			var b bytes.Buffer
			if err := Write(&b, l); err != nil {
				t.Fatal(err)
			}
			text, at := b.String(), 0
			for _, w := range tt.want {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Fatalf("%q missing or out of order after byte %d:\n%s", w, at, text)
				}
				at += i + len(w)
			}
		})
	}
	t.Run("no harm", func(t *testing.T) {
		l := base
		l.Lang, l.Categories = "en", []string{"contact"}
		var b bytes.Buffer
		if err := Write(&b, l); err != nil || !strings.Contains(b.String(), "point to no particular harm") {
			t.Fatalf("%v:\n%s", err, b.String())
		}
	})
	for name, l := range map[string]Letter{
		"unknown language": {Lang: "de", Categories: []string{"contact"}},
		"unknown category": {Lang: "en", Categories: []string{"shoe_size"}},
	} {
		if err := Write(&bytes.Buffer{}, l); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := Write(&bytes.Buffer{}, Letter{Lang: "en"}); !errors.Is(err, ErrNothingToTell) {
		t.Errorf("no category: %v, want ErrNothingToTell", err)
	}
}
