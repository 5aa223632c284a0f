package lineage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/taxonomy"
)

var now = lineagetest.Base.Add(24 * time.Hour)

func TestValidEvents(t *testing.T) {
	for _, e := range lineagetest.Events(7, 300, 50) {
		if err := e.Validate(now); err != nil {
			t.Fatalf("fixture %s must be valid: %v", e.Kind, err)
		}
	}
}

func TestValidateNamesFieldAndRule(t *testing.T) {
	id, subject, at := lineagetest.UUID(1), "C00000001", lineagetest.Base
	for _, tc := range []struct {
		name  string
		event func() lineage.Event
		field string
		rule  string
	}{
		{"bad id", func() lineage.Event { e := lineagetest.Access("42", subject, at); return e }, "event_id", "UUID"},
		{"unknown kind", func() lineage.Event { e := lineagetest.Access(id, subject, at); e.Kind = lineage.KindUnknown; return e }, "kind", "must be access"},
		{"epoch seconds as micros", func() lineage.Event {
			e := lineagetest.Access(id, subject, time.UnixMicro(1_700_000_000))
			e.RecordedAt = e.OccurredAt
			return e
		}, "occurred_at", "after 2000"},
		{"future", func() lineage.Event { e := lineagetest.Access(id, subject, now.Add(time.Hour)); return e }, "occurred_at", "future"},
		{"recorded before occurred", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.RecordedAt = at.Add(-time.Second)
			return e
		}, "recorded_at", "earlier"},
		{"unknown source", func() lineage.Event { e := lineagetest.Access(id, subject, at); e.SourceSystem = "erp"; return e }, "source_system", "unknown source system"},
		{"actor unknown type", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Actor.Type = lineage.ActorUnknown
			return e
		}, "actor.type", "must be"},
		{"actor is a name", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Actor.ID = "Jānis Bērziņš"
			return e
		}, "actor.id", "never a name"},
		{"subject is a personal code", func() lineage.Event { return lineagetest.Access(id, "010190-12345", at) }, "subject_id", "customer id"},
		{"subject is a phone number", func() lineage.Event { return lineagetest.Access(id, "29123456", at) }, "subject_id", "customer id"},
		{"no categories", func() lineage.Event { e := lineagetest.Access(id, subject, at); e.DataCategories = nil; return e }, "data_categories", "at least one"},
		{"unknown category", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.DataCategories = []string{"contact", "dna"}
			return e
		}, "data_categories[1]", "unknown data category"},
		{"repeated category", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.DataCategories = []string{"contact", "contact"}
			return e
		}, "data_categories[1]", "repeats"},
		{"unknown purpose", func() lineage.Event { e := lineagetest.Access(id, subject, at); e.Purpose = "fun"; return e }, "purpose", "§5"},
		{"unknown basis", func() lineage.Event { e := lineagetest.Access(id, subject, at); e.LegalBasis = "whim"; return e }, "legal_basis", "§6"},
		{"interest missing", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.LegalBasis = "legitimate_interest"
			return e
		}, "legitimate_interest", "required"},
		{"interest unknown", func() lineage.Event {
			e := lineagetest.Handoff(id, subject, at)
			e.LegitimateInterest = lineage.Ptr("7.30")
			return e
		}, "legitimate_interest", "unknown legitimate interest"},
		{"interest without that basis", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.LegitimateInterest = lineage.Ptr("7.1")
			return e
		}, "legitimate_interest", "must be null"},
		{"§43 offer for another purpose", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.LegalBasis, e.LegitimateInterest = "similar_offer", nil
			return e
		}, "legal_basis", "only for purpose commercial_communication"},
		{"access with recipient", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Recipient = lineagetest.Transfer(id, subject, at).Recipient
			return e
		}, "recipient", "null for an access"},
		{"transfer without recipient", func() lineage.Event { e := lineagetest.Transfer(id, subject, at); e.Recipient = nil; return e }, "recipient", "required for a transfer"},
		{"unknown recipient category", func() lineage.Event {
			e := lineagetest.Transfer(id, subject, at)
			e.Recipient.Category = "friend"
			return e
		}, "recipient.category", "unknown recipient category"},
		{"bad country", func() lineage.Event { e := lineagetest.Transfer(id, subject, at); e.Recipient.Country = "XX"; return e }, "recipient.country", "ISO 3166-1"},
		{"third country without mechanism", func() lineage.Event {
			e := lineagetest.Handoff(id, subject, at)
			e.Recipient.TransferMechanism = nil
			return e
		}, "recipient.transfer_mechanism", "required for a country outside"},
		{"EEA with mechanism", func() lineage.Event {
			e := lineagetest.Transfer(id, subject, at)
			e.Recipient.TransferMechanism = lineage.Ptr("standard_contractual_clauses")
			return e
		}, "recipient.transfer_mechanism", "must be null"},
		{"adequacy where none", func() lineage.Event {
			e := lineagetest.Handoff(id, subject, at)
			e.Recipient.TransferMechanism = lineage.Ptr("adequacy_decision")
			return e
		}, "recipient.transfer_mechanism", "no adequacy decision covers IN"},
		{"bad traceparent", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Trace = &lineage.TraceContext{TraceParent: "00-abc"}
			return e
		}, "trace.traceparent", "W3C"},
		{"bad attribute key", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Attributes = map[string]string{"Ticket No": "1"}
			return e
		}, "attributes", "keys"},
		{"employee on a service account", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Actor.Type, e.Actor.Employee = lineage.ServiceAccount, lineage.Ptr("E1042")
			return e
		}, "actor.employee", "only for an actor of type employee_role"},
		{"employee is a name", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Actor.Type, e.Actor.Employee = lineage.EmployeeRole, lineage.Ptr("Jānis Bērziņš")
			return e
		}, "actor.employee", "never a name"},
		{"restriction without a basis", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Restriction = &lineage.Restriction{Basis: " ", ReviewAt: at.Add(time.Hour)}
			return e
		}, "restriction.basis", "legal basis"},
		{"restriction lapsed before the event", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums", ReviewAt: at}
			return e
		}, "restriction.review_at", "after occurred_at"},
		{"retention_from not a date", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionFrom, "02.03.2026")
		}, "attributes.retention_from", "YYYY-MM-DD"},
		{"retention_from with a time", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionFrom, "2026-03-02T00:00:00Z")
		}, "attributes.retention_from", "YYYY-MM-DD"},
		{"retention_from on no day", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionFrom, "2026-02-29")
		}, "attributes.retention_from", "YYYY-MM-DD"},
		{"retention_from before 2000", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionFrom, "1999-12-31")
		}, "attributes.retention_from", "before 2000-01-01"},
		{"retention_from after the event", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionFrom, "2026-03-03")
		}, "attributes.retention_from", "after the day of occurred_at"},
		{"retention_from a UTC day later", func() lineage.Event {
			// 00:30 in Riga on 3 March is still 2 March in UTC.
			late := time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC)
			return withAttr(lineagetest.Access(id, subject, late), lineage.AttrRetentionFrom, "2026-03-03")
		}, "attributes.retention_from", "after the day of occurred_at"},
		{"unknown retention rule", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrRetentionRule, "forever")
		}, "attributes.retention_rule", "unknown retention rule"},
		{"empty request_ref", func() lineage.Event {
			return withAttr(lineagetest.CDR(id, lineagetest.Identifier(lineage.MSISDN, 1), at), lineage.AttrRequestRef, "")
		}, "attributes.request_ref", "1-64 characters"},
		{"request_ref with a space", func() lineage.Event {
			return withAttr(lineagetest.CDR(id, lineagetest.Identifier(lineage.MSISDN, 1), at), lineage.AttrRequestRef, "VP 2026/17")
		}, "attributes.request_ref", "letters, digits and - / . _"},
		{"request_ref too long", func() lineage.Event {
			return withAttr(lineagetest.CDR(id, lineagetest.Identifier(lineage.MSISDN, 1), at), lineage.AttrRequestRef, strings.Repeat("7", 65))
		}, "attributes.request_ref", "1-64 characters"},
		{"unknown data_source", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrDataSource, "website")
		}, "attributes.data_source", "unknown data source code (policy §16)"},
		{"data_source a source system", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrDataSource, "crm")
		}, "attributes.data_source", "unknown data source code"},
		{"data_source in capitals", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrDataSource, "Customer")
		}, "attributes.data_source", "unknown data source code"},
		{"empty data_source", func() lineage.Event {
			return withAttr(lineagetest.Access(id, subject, at), lineage.AttrDataSource, "")
		}, "attributes.data_source", "unknown data source code"},
		{"long attribute value", func() lineage.Event {
			e := lineagetest.Access(id, subject, at)
			e.Attributes = map[string]string{"note": strings.Repeat("x", 257)}
			return e
		}, "attributes", "256 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.event()
			err := e.Validate(now)
			var ve *lineage.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, lineage.ErrInvalid) {
				t.Fatalf("want a validation error, got %v", err)
			}
			if len(ve.Fields) != 1 {
				t.Fatalf("want exactly one broken rule, got %v", err)
			}
			f := ve.Fields[0]
			if f.Field != tc.field || !strings.Contains(f.Rule, tc.rule) {
				t.Fatalf("got field %q rule %q, want field %q rule containing %q", f.Field, f.Rule, tc.field, tc.rule)
			}
		})
	}
}

// withAttr returns e with one more attribute.
func withAttr(e lineage.Event, key, value string) lineage.Event {
	attrs := map[string]string{key: value}
	for k, v := range e.Attributes {
		attrs[k] = v
	}
	e.Attributes = attrs
	return e
}

// TestContractAttributes: the attributes the tracker reads are accepted at
// their bounds (the day of the event, 2000-01-01, every rule code, a
// request number of 64 bytes, every data source code).
func TestContractAttributes(t *testing.T) {
	id, at := lineagetest.UUID(1), lineagetest.Base
	e := lineagetest.CDR(id, lineagetest.Identifier(lineage.MSISDN, 1), at)
	e = withAttr(e, lineage.AttrRequestRef, "VP-2026/17_a."+strings.Repeat("9", 51))
	for _, from := range []string{"2026-03-02", "2000-01-01", "2024-02-29"} {
		e := withAttr(e, lineage.AttrRetentionFrom, from)
		for _, rule := range taxonomy.RetentionRules() {
			e := withAttr(e, lineage.AttrRetentionRule, rule.Code)
			if err := e.Validate(now); err != nil {
				t.Errorf("retention_from %s, rule %s: %v", from, rule.Code, err)
			}
		}
	}
}

// TestDataSourceAttribute: data_source accepts each code of §16 and
// nothing else, and an event without it stays valid.
func TestDataSourceAttribute(t *testing.T) {
	id, subject, at := lineagetest.UUID(1), "C00000001", lineagetest.Base
	for _, tc := range []struct {
		value string
		valid bool
	}{
		{"customer", true},
		{"operator_systems", true},
		{"intrusion_detection", true},
		{"credit_history", true},
		{"partners", true},
		{"public_registers", true},
		{"", false},
		{"unknown", false},
		{" customer", false},
		{"cdr_mediation", false},
	} {
		e := withAttr(lineagetest.Access(id, subject, at), lineage.AttrDataSource, tc.value)
		if err := e.Validate(now); (err == nil) != tc.valid {
			t.Errorf("data_source %q: got %v, want valid %v", tc.value, err, tc.valid)
		}
	}
	// Every code of the catalogue, so that a code added to §16 is accepted.
	for _, src := range taxonomy.DataSources() {
		e := withAttr(lineagetest.Handoff(id, subject, at), lineage.AttrDataSource, src.Code)
		if err := e.Validate(now); err != nil {
			t.Errorf("data_source %s: %v", src.Code, err)
		}
	}
	e := lineagetest.Access(id, subject, at)
	if _, has := e.Attributes[lineage.AttrDataSource]; has {
		t.Fatal("the fixture names a data source")
	}
	if err := e.Validate(now); err != nil {
		t.Errorf("an event without data_source: %v", err)
	}
}

func TestRestrictedAt(t *testing.T) {
	e := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	if e.RestrictedAt(now) {
		t.Fatal("an event without a restriction is restricted")
	}
	review := lineagetest.Base.Add(time.Hour)
	e.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums", ReviewAt: review}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{review.Add(-time.Microsecond), true},
		{review, false}, // lapses at the review time itself
		{review.Add(time.Hour), false},
	} {
		if got := e.RestrictedAt(tc.at); got != tc.want {
			t.Errorf("RestrictedAt(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestErrorsNeverEchoPersonalData(t *testing.T) {
	e := lineagetest.Access("not-a-uuid", "010190-12345", lineagetest.Base)
	e.Actor.ID = "Jānis Bērziņš"
	e.Attributes = map[string]string{"Phone": "29123456"}
	err := e.Validate(now)
	for _, secret := range []string{"010190-12345", "Jānis", "29123456", "not-a-uuid"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error echoes %q: %v", secret, err)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := lineage.NewID()
		if !lineage.ValidUUID(id) || id[14] != '4' {
			t.Fatalf("not a v4 UUID: %s", id)
		}
		if seen[id] {
			t.Fatalf("repeated id %s", id)
		}
		seen[id] = true
	}
}

func BenchmarkValidate(b *testing.B) {
	events := lineagetest.Events(7, 1024, 50)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := events[i%len(events)].Validate(now); err != nil {
			b.Fatal(err)
		}
	}
}
