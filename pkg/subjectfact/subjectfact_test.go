package subjectfact

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func fact(id string, typ Type, at time.Time) Fact {
	f := Fact{ID: "00000000-0000-4000-8000-0000000000" + id, Type: typ, At: at, RecordedAt: at,
		SourceSystem: "crm", Actor: "crm-consents", SubjectID: "C1000001"}
	switch typ {
	case ConsentGiven, ConsentWithdrawn:
		f.Purpose, f.Channel = CommercialCommunication, "self_service_portal"
	case OptedOut:
		f.Channel = "phone"
	case ErasureNotified, ErasureConfirmed:
		f.RecipientID = "rcp-collector"
	case LawfulRequestUnmet:
		f.SubjectID, f.RecipientID, f.Reference, f.Reason = "", "rcp-police", "VP-2026/17", "data older than 18 months"
	}
	return f
}

func TestValidate(t *testing.T) {
	now := t0.Add(time.Hour)
	tests := []struct {
		name   string
		edit   func(*Fact)
		typ    Type
		fields []string // the fields the error names, in order; none: valid
	}{
		{"consent given", func(*Fact) {}, ConsentGiven, nil},
		{"consent withdrawn", func(*Fact) {}, ConsentWithdrawn, nil},
		{"opted out", func(*Fact) {}, OptedOut, nil},
		{"erasure requested", func(f *Fact) { f.Reference = "ER-1" }, ErasureRequested, nil},
		{"erasure notified", func(*Fact) {}, ErasureNotified, nil},
		{"erasure confirmed", func(*Fact) {}, ErasureConfirmed, nil},
		{"unmet, no subject", func(*Fact) {}, LawfulRequestUnmet, nil},
		{"unmet with a subject", func(f *Fact) { f.SubjectID = "C1000001" }, LawfulRequestUnmet, nil},
		{"bad id", func(f *Fact) { f.ID = "x" }, OptedOut, []string{"fact_id"}},
		{"unknown type", func(f *Fact) {}, "unknown", []string{"type"}},
		{"before 2000", func(f *Fact) { f.At = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }, OptedOut, []string{"at"}},
		{"future", func(f *Fact) { f.At, f.RecordedAt = now.Add(time.Hour), now.Add(time.Hour) }, OptedOut, []string{"at", "recorded_at"}},
		{"recorded before at", func(f *Fact) { f.RecordedAt = f.At.Add(-time.Second) }, OptedOut, []string{"recorded_at"}},
		{"source", func(f *Fact) { f.SourceSystem = "excel" }, OptedOut, []string{"source_system"}},
		{"actor", func(f *Fact) { f.Actor = "Jānis Bērziņš" }, OptedOut, []string{"actor"}},
		{"no subject", func(f *Fact) { f.SubjectID = "" }, OptedOut, []string{"subject_id"}},
		{"personal code as subject", func(f *Fact) { f.SubjectID = "010190-12345" }, ConsentGiven, []string{"subject_id"}},
		{"purpose", func(f *Fact) { f.Purpose = "marketing" }, ConsentWithdrawn, []string{"purpose"}},
		{"channel", func(f *Fact) { f.Channel = "carrier_pigeon" }, OptedOut, []string{"channel"}},
		{"no recipient", func(f *Fact) { f.RecipientID = "" }, ErasureConfirmed, []string{"recipient_id"}},
		{"unmet without reference and reason", func(f *Fact) { f.Reference, f.Reason = "", "" }, LawfulRequestUnmet, []string{"reference", "reason"}},
		{"reference too long", func(f *Fact) { f.Reference = strings.Repeat("x", 129) }, ErasureRequested, []string{"reference"}},
		{"blank reason", func(f *Fact) { f.Reason = "  " }, LawfulRequestUnmet, []string{"reason"}},
		{"fields of other types", func(f *Fact) { f.Purpose, f.RecipientID, f.Reason = "security", "rcp-x", "why" }, OptedOut,
			[]string{"purpose", "recipient_id", "reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fact("01", tt.typ, t0)
			tt.edit(&f)
			err := f.Validate(now)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("want a *ValidationError, got %v", err)
			}
			var got []string
			for _, fe := range ve.Fields {
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}

func use(id string, at time.Time, purpose, basis string) Use {
	return Use{EventID: id, OccurredAt: at, Kind: lineage.Access, Purpose: purpose, LegalBasis: basis}
}

func TestFlags(t *testing.T) {
	withdrawn := fact("02", ConsentWithdrawn, t0)
	withdrawn.Purpose = "planning_analytics"
	regiven := fact("03", ConsentGiven, t0.Add(30*24*time.Hour))
	regiven.Purpose = "planning_analytics"
	optOut := fact("04", OptedOut, t0)
	facts := []Fact{fact("01", ConsentGiven, t0.Add(-time.Hour)), withdrawn, regiven, optOut, optOut /* a retry */}
	type want struct {
		event string
		kind  FlagKind
		after time.Duration
	}
	tests := []struct {
		name string
		uses []Use
		want []want
	}{
		{"consent use before the withdrawal", []Use{use("e1", t0.Add(-time.Minute), "planning_analytics", "consent")}, nil},
		{"at the instant of the withdrawal", []Use{use("e1", t0, "planning_analytics", "consent")}, nil},
		{"consent use after the withdrawal", []Use{use("e1", t0.Add(time.Hour), "planning_analytics", "consent")},
			[]want{{"e1", ConsentAfterWithdrawal, time.Hour}}},
		{"the same event twice counts once", []Use{use("e1", t0.Add(time.Hour), "planning_analytics", "consent"), use("e1", t0.Add(time.Hour), "planning_analytics", "consent")},
			[]want{{"e1", ConsentAfterWithdrawal, time.Hour}}},
		{"another basis may continue (§37)", []Use{use("e1", t0.Add(time.Hour), "planning_analytics", "legitimate_interest")}, nil},
		{"consent for another purpose", []Use{use("e1", t0.Add(time.Hour), "security", "consent")}, nil},
		{"consent given again", []Use{use("e1", t0.Add(31*24*time.Hour), "planning_analytics", "consent")}, nil},
		{"message 47 h after the opt-out", []Use{use("m1", t0.Add(47*time.Hour), CommercialCommunication, "similar_offer")},
			[]want{{"m1", OptOutException, 47 * time.Hour}}},
		{"message at 48 h", []Use{use("m1", t0.Add(48*time.Hour), CommercialCommunication, "legitimate_interest")},
			[]want{{"m1", OptOutException, 48 * time.Hour}}},
		{"message 48 h and 1 µs after", []Use{use("m1", t0.Add(48*time.Hour+time.Microsecond), CommercialCommunication, "similar_offer")},
			[]want{{"m1", OptOutViolation, 48*time.Hour + time.Microsecond}}},
		{"message before the opt-out", []Use{use("m1", t0.Add(-time.Second), CommercialCommunication, "similar_offer")}, nil},
		{"a §43 message is no use of consent", []Use{use("m1", t0.Add(time.Minute), CommercialCommunication, "similar_offer")},
			[]want{{"m1", OptOutException, time.Minute}}},
		{"ordered by time", []Use{
			use("m2", t0.Add(72*time.Hour), CommercialCommunication, "similar_offer"),
			use("e1", t0.Add(time.Hour), "planning_analytics", "consent"),
		}, []want{{"e1", ConsentAfterWithdrawal, time.Hour}, {"m2", OptOutViolation, 72 * time.Hour}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Flags("C1000001", facts, tt.uses)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d flags %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.EventID != w.event || g.Kind != w.kind || g.After != w.after || g.SubjectID != "C1000001" {
					t.Errorf("flag %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestFlagsMarketingConsentAfterOptOut(t *testing.T) {
	facts := []Fact{fact("04", OptedOut, t0), fact("05", ConsentGiven, t0.Add(24*time.Hour))}
	facts[1].Purpose = CommercialCommunication
	got := Flags("C1000001", facts, []Use{
		use("m1", t0.Add(12*time.Hour), CommercialCommunication, "similar_offer"),
		use("m2", t0.Add(30*24*time.Hour), CommercialCommunication, "consent"),
	})
	if len(got) != 1 || got[0].EventID != "m1" || got[0].Kind != OptOutException {
		t.Fatalf("got %+v, want m1 within the exception only", got)
	}
}

func TestErasure(t *testing.T) {
	requested := fact("10", ErasureRequested, t0)
	requested.Reference = "ER-2026-5"
	notifiedEarlier := fact("11", ErasureNotified, t0.Add(-48*time.Hour)) // of an earlier request
	notifiedEarlier.RecipientID = "rcp-bank"
	bankNotified := fact("12", ErasureNotified, t0.Add(24*time.Hour))
	bankNotified.RecipientID = "rcp-bank"
	bankConfirmed := fact("13", ErasureConfirmed, t0.Add(5*24*time.Hour+time.Hour))
	bankConfirmed.RecipientID = "rcp-bank"
	collectorNotified := fact("14", ErasureNotified, t0.Add(2*24*time.Hour))
	strayConfirm := fact("15", ErasureConfirmed, t0.Add(3*24*time.Hour))
	strayConfirm.RecipientID = "rcp-unknown"
	received := []Received{
		{RecipientID: "rcp-bank", Name: "Bank", First: t0.Add(-90 * 24 * time.Hour), Last: t0.Add(-24 * time.Hour), Events: 4},
		{RecipientID: "rcp-collector", Name: "Collector", First: t0.Add(-10 * 24 * time.Hour), Last: t0.Add(-time.Hour), Events: 1},
		{RecipientID: "rcp-police", Name: "Police", First: t0.Add(-5 * 24 * time.Hour), Last: t0.Add(time.Hour), Events: 2},
	}
	now := t0.Add(10*24*time.Hour + 23*time.Hour)

	if _, ok := ErasureOf("C1000001", []Fact{fact("04", OptedOut, t0)}, received, now); ok {
		t.Fatal("an erasure without a request")
	}
	e, ok := ErasureOf("C1000001", []Fact{strayConfirm, bankConfirmed, collectorNotified, bankNotified, requested, notifiedEarlier, requested}, received, now)
	if !ok {
		t.Fatal("no erasure")
	}
	if e.RequestedAt != t0 || e.Reference != "ER-2026-5" || e.Unconfirmed != 2 {
		t.Errorf("erasure %+v", e)
	}
	want := []struct {
		id           string
		state        ErasureState
		days         int
		afterRequest bool
	}{
		{"rcp-police", NotNotified, 10, true},             // 10 d 23 h since the request
		{"rcp-collector", AwaitingConfirmation, 8, false}, // told on day 2
		{"rcp-bank", Confirmed, 4, false},                 // told on day 1 (not 2 days before), confirmed 4 d 1 h later
		{"rcp-unknown", Confirmed, 3, false},              // confirmed without a recorded disclosure nor a notice
	}
	if len(e.Recipients) != len(want) {
		t.Fatalf("recipients %+v", e.Recipients)
	}
	for i, w := range want {
		r := e.Recipients[i]
		if r.RecipientID != w.id || r.State != w.state || r.DaysWaited != w.days || r.AfterRequest != w.afterRequest {
			t.Errorf("recipient %d: %s %s %d days after=%v, want %+v", i, r.RecipientID, r.State, r.DaysWaited, r.AfterRequest, w)
		}
	}
}
