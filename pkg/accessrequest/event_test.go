package accessrequest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
	"github.com/balticom/lineage/pkg/lineage"
)

func TestValidEvents(t *testing.T) {
	id, received := accessrequesttest.RequestID(1), at(t, 2026, 3, 2, 9, 30)
	now := received.Add(40 * 24 * time.Hour)
	for _, e := range []accessrequest.Event{
		accessrequesttest.Received(id, 1, received),
		accessrequesttest.IdentityChecked(id, 2, received.Add(time.Hour), "C00000042"),
		accessrequesttest.Extended(id, 3, received.Add(48*time.Hour), 2, received.Add(50*time.Hour)),
		accessrequesttest.Answered(id, 4, received.Add(30*24*time.Hour)),
		accessrequesttest.Refused(id, 5, received.Add(2*time.Hour)),
	} {
		if err := e.Validate(now); err != nil {
			t.Errorf("fixture %s must be valid: %v", e.Type, err)
		}
	}
}

func TestValidateNamesFieldAndRule(t *testing.T) {
	id, received := accessrequesttest.RequestID(1), at(t, 2026, 3, 2, 9, 30)
	now := received.Add(40 * 24 * time.Hour)
	receipt := func(change func(*accessrequest.Event)) func() accessrequest.Event {
		return func() accessrequest.Event {
			e := accessrequesttest.Received(id, 1, received)
			change(&e)
			return e
		}
	}
	for _, tc := range []struct {
		name  string
		event func() accessrequest.Event
		field string
		rule  string
	}{
		{"event id", receipt(func(e *accessrequest.Event) { e.EventID = "1" }), "event_id", "UUID"},
		{"request id without prefix", receipt(func(e *accessrequest.Event) { e.RequestID = "2026-000001" }), "request_id", "AR-"},
		{"request id too short", receipt(func(e *accessrequest.Event) { e.RequestID = "AR-1234567" }), "request_id", "8 to 32"},
		{"request id is an e-mail", receipt(func(e *accessrequest.Event) { e.RequestID = "AR-anna@example.lv" }), "request_id", "letters, digits and hyphens"},
		{"unknown type", receipt(func(e *accessrequest.Event) { e.Type = "unknown" }), "type", "must be received"},
		{"before the GDPR", receipt(func(e *accessrequest.Event) { e.At = time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC) }), "at", "2018-05-25"},
		{"seconds as microseconds", receipt(func(e *accessrequest.Event) {
			e.At = time.UnixMicro(1_770_000_000)
			e.RecordedAt = e.At
		}), "at", "2018-05-25"},
		{"future", receipt(func(e *accessrequest.Event) { e.At, e.RecordedAt = now.Add(time.Hour), now.Add(time.Hour) }), "at", "future"},
		{"recorded before it happened", receipt(func(e *accessrequest.Event) { e.RecordedAt = e.At.Add(-time.Second) }), "recorded_at", "earlier"},
		{"no actor", receipt(func(e *accessrequest.Event) { e.Actor = "" }), "actor", "caller name"},
		{"actor with spaces", receipt(func(e *accessrequest.Event) { e.Actor = "Anna Bērziņa" }), "actor", "caller name"},
		{"post is no §28 channel", receipt(func(e *accessrequest.Event) { e.Channel = "post" }), "channel", "§28"},
		{"no channel", receipt(func(e *accessrequest.Event) { e.Channel = "" }), "channel", "§28"},
		{"receipt with a report hash", receipt(func(e *accessrequest.Event) { e.ReportHash = accessrequesttest.ReportHash("x") }), "report_hash", "only for an event of type answered"},
		{"receipt with a reason", receipt(func(e *accessrequest.Event) { e.Reason = "because" }), "reason", "only for an event of type extended or refused"},
		{"identity: personal code", func() accessrequest.Event {
			return accessrequesttest.IdentityChecked(id, 2, received, "010190-12345")
		}, "subject_id", "customer id"},
		{"identity: unknown method", func() accessrequest.Event {
			e := accessrequesttest.IdentityChecked(id, 2, received, "C00000042")
			e.Method = "phone_call"
			return e
		}, "identity_method", "§28-§29"},
		{"extension of three months", func() accessrequest.Event {
			return accessrequesttest.Extended(id, 3, received, 3, received)
		}, "extension_months", "1 or 2"},
		{"extension of no months", func() accessrequest.Event {
			return accessrequesttest.Extended(id, 3, received, 0, received)
		}, "extension_months", "1 or 2"},
		{"extension the subject was not told of", func() accessrequest.Event {
			return accessrequesttest.Extended(id, 3, received, 1, time.Time{})
		}, "subject_told_at", "Art. 12(3)"},
		{"extension told in the future", func() accessrequest.Event {
			return accessrequesttest.Extended(id, 3, received, 1, now.Add(time.Hour))
		}, "subject_told_at", "future"},
		{"extension without a reason", func() accessrequest.Event {
			e := accessrequesttest.Extended(id, 3, received, 1, received)
			e.Reason = " "
			return e
		}, "reason", "required"},
		{"answer: hash in upper case", func() accessrequest.Event {
			e := accessrequesttest.Answered(id, 4, received)
			e.ReportHash = strings.ToUpper(e.ReportHash)
			return e
		}, "report_hash", "SHA-256"},
		{"answer: unknown format", func() accessrequest.Event {
			e := accessrequesttest.Answered(id, 4, received)
			e.Format = "docx"
			return e
		}, "format", "json, csv, html or pdf"},
		{"answer: unknown language", func() accessrequest.Event {
			e := accessrequesttest.Answered(id, 4, received)
			e.Language = "ru"
			return e
		}, "language", "lv or en"},
		{"answer: e-mail is no §30 way", func() accessrequest.Event {
			e := accessrequesttest.Answered(id, 4, received)
			e.DeliveryChannel = "email"
			return e
		}, "delivery_channel", "§30"},
		{"answer with a subject", func() accessrequest.Event {
			e := accessrequesttest.Answered(id, 4, received)
			e.SubjectID = "C00000042"
			return e
		}, "subject_id", "only for an event of type identity_checked"},
		{"refusal without a reason", func() accessrequest.Event {
			e := accessrequesttest.Refused(id, 5, received)
			e.Reason = ""
			return e
		}, "reason", "required"},
		{"refusal with an extension", func() accessrequest.Event {
			e := accessrequesttest.Refused(id, 5, received)
			e.ExtensionMonths = 1
			return e
		}, "extension_months", "only for an event of type extended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.event()
			err := e.Validate(now)
			var ve *accessrequest.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, accessrequest.ErrInvalid) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, f := range ve.Fields {
				if f.Field == tc.field && strings.Contains(f.Rule, tc.rule) {
					return
				}
			}
			t.Fatalf("Validate = %v, want field %s with rule containing %q", err, tc.field, tc.rule)
		})
	}
}

// TestValidateNeverEchoesFreeText: reasons and subjects may be personal
// data; an error names codes only.
func TestValidateNeverEchoesFreeText(t *testing.T) {
	e := accessrequesttest.Received(accessrequesttest.RequestID(1), 1, at(t, 2026, 3, 2, 9, 30))
	e.Reason = "Anna Bērziņa asked by phone"
	e.SubjectID = "010190-12345"
	err := e.Validate(e.At)
	if err == nil {
		t.Fatal("Validate accepted a receipt with a reason and a subject")
	}
	for _, secret := range []string{"Anna", "010190"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q echoes %q", err, secret)
		}
	}
	var ve *accessrequest.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if f != (lineage.FieldError{Field: f.Field, Rule: f.Rule}) {
				t.Errorf("field error %+v carries a value", f)
			}
		}
	}
}
