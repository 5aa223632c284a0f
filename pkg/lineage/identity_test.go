package lineage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

func TestIdentifiedEvents(t *testing.T) {
	msisdn := lineagetest.Identifier(lineage.MSISDN, 1)
	at := lineagetest.Base
	cdr := func() lineage.Event { return lineagetest.CDR(lineagetest.UUID(1), msisdn, at) }
	if e := cdr(); e.Validate(now) != nil {
		t.Fatalf("fixture must be valid: %v", e.Validate(now))
	}
	if e, want := cdr(), "msisdn:"+msisdn.HMAC; e.SubjectKey() != want {
		t.Errorf("SubjectKey = %q, want %q", e.SubjectKey(), want)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*lineage.Event)
		field string
		rule  string
	}{
		{"both subject and identifier", func(e *lineage.Event) { e.SubjectID = "C00000001" }, "subject_id", "one way"},
		{"neither", func(e *lineage.Event) { e.SubjectIdentifier = nil }, "subject_id", "customer id"},
		{"unknown kind", func(e *lineage.Event) { e.SubjectIdentifier.Kind = "imsi" }, "subject_identifier.kind", "msisdn, ip_address"},
		{"phone number in clear", func(e *lineage.Event) { e.SubjectIdentifier.HMAC = "+37129123456" }, "subject_identifier.hmac", "never the identifier in clear"},
		{"upper-case hex", func(e *lineage.Event) { e.SubjectIdentifier.HMAC = strings.ToUpper(msisdn.HMAC) }, "subject_identifier.hmac", "lower-case hex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cdr()
			id := *e.SubjectIdentifier
			e.SubjectIdentifier = &id
			tc.edit(&e)
			assertField(t, e.Validate(now), tc.field, tc.rule)
		})
	}
}

func TestIdentityLinkValidate(t *testing.T) {
	ident := lineagetest.Identifier(lineage.MSISDN, 1)
	from := lineagetest.Base.Add(-365 * 24 * time.Hour)
	link := func() lineage.IdentityLink { return lineagetest.Link("C00000001", ident, from, lineagetest.Base) }
	if l := link(); l.Validate(now) != nil {
		t.Fatalf("fixture must be valid: %v", l.Validate(now))
	}
	if l := lineagetest.Link("C00000001", ident, from, time.Time{}); l.Validate(now) != nil {
		t.Fatalf("an open link must be valid: %v", l.Validate(now))
	}
	for _, tc := range []struct {
		name  string
		edit  func(*lineage.IdentityLink)
		field string
		rule  string
	}{
		{"subject is a phone number", func(l *lineage.IdentityLink) { l.SubjectID = "29123456" }, "subject_id", "customer id"},
		{"identifier kind", func(l *lineage.IdentityLink) { l.Identifier.Kind = "" }, "identifier.kind", "must be msisdn"},
		{"identifier in clear", func(l *lineage.IdentityLink) { l.Identifier.HMAC = "10.0.0.1" }, "identifier.hmac", "64 lower-case hex"},
		{"ends before it starts", func(l *lineage.IdentityLink) { to := from; l.ValidTo = &to }, "valid_to", "later than valid_from"},
		{"starts in the future", func(l *lineage.IdentityLink) { l.ValidFrom = now.Add(time.Hour); l.ValidTo = nil }, "valid_from", "future"},
		{"unknown source", func(l *lineage.IdentityLink) { l.SourceSystem = "erp" }, "source_system", "unknown source system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := link()
			tc.edit(&l)
			assertField(t, l.Validate(now), tc.field, tc.rule)
		})
	}
}

func TestParseIdentifierKey(t *testing.T) {
	ident := lineagetest.Identifier(lineage.Device, 3)
	if got, ok := lineage.ParseIdentifierKey(ident.Key()); !ok || got != ident {
		t.Errorf("ParseIdentifierKey(Key()) = %v, %v; want %v", got, ok, ident)
	}
	for _, s := range []string{"C00000001", "", "msisdn:", "msisdn:" + strings.Repeat("g", 64), "imsi:" + ident.HMAC} {
		if _, ok := lineage.ParseIdentifierKey(s); ok {
			t.Errorf("ParseIdentifierKey(%q) accepted", s)
		}
	}
}

// assertField fails unless err is a *ValidationError with a field error on
// field whose rule contains rule.
func assertField(t *testing.T, err error, field, rule string) {
	t.Helper()
	var ve *lineage.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
	for _, f := range ve.Fields {
		if f.Field == field && strings.Contains(f.Rule, rule) {
			return
		}
	}
	t.Fatalf("want %s: ...%s..., got %v", field, rule, err)
}
