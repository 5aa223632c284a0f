package chstore

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
)

func insertFacts(t *testing.T, s *Store, offset int64, facts ...subjectfact.Fact) {
	t.Helper()
	stored := make([]StoredFact, len(facts))
	for i, f := range facts {
		stored[i] = StoredFact{Fact: f, Partition: 2, Offset: offset + int64(i)}
	}
	if err := s.InsertFacts(t.Context(), stored); err != nil {
		t.Fatalf("InsertFacts: %v", err)
	}
}

func newFact(n uint64, typ subjectfact.Type, subject string, at time.Time) subjectfact.Fact {
	return subjectfact.Fact{ID: lineagetest.UUID(1000 + n), Type: typ, At: at, RecordedAt: at.Add(time.Minute),
		SourceSystem: "crm", Actor: "crm-consents", SubjectID: subject}
}

// TestSubjectFacts: every field comes back as stored, each fact id once
// though stored twice, and only the subject's own.
func TestSubjectFacts(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	c1, c2 := lineagetest.Subject(1), lineagetest.Subject(2)
	given := newFact(1, subjectfact.ConsentGiven, c1, t0)
	given.Purpose, given.Channel = subjectfact.CommercialCommunication, "shop"
	requested := newFact(2, subjectfact.ErasureRequested, c1, t0.Add(time.Hour))
	requested.Reference = "ER-2026-7"
	notified := newFact(3, subjectfact.ErasureNotified, c1, t0.Add(2*time.Hour))
	notified.RecipientID = swedbank
	insertFacts(t, s, 0, given, requested, notified, newFact(4, subjectfact.OptedOut, c2, t0))
	insertFacts(t, s, 10, requested) // a retry

	got, err := s.SubjectFacts(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b subjectfact.Fact) int { return strings.Compare(a.ID, b.ID) })
	if want := []subjectfact.Fact{given, requested, notified}; !reflect.DeepEqual(got, want) {
		t.Errorf("SubjectFacts\n got %+v\nwant %+v", got, want)
	}
	if _, err := s.SubjectFacts(ctx, "msisdn:x"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("an identifier as subject: %v, want ErrInvalidQuery", err)
	}
}

// TestConsentFlags: across subjects, the consent uses after a withdrawal
// and the commercial messages after an opt-out, each event once, with the
// 2-day exception; a subject with no withdrawal is never read.
func TestConsentFlags(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()
	day := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(24*time.Hour))) }
	c1, c2, c3 := lineagetest.Subject(1), lineagetest.Subject(2), lineagetest.Subject(3)
	withdrawn := newFact(1, subjectfact.ConsentWithdrawn, c1, day(0))
	withdrawn.Purpose, withdrawn.Channel = "planning_analytics", "self_service_portal"
	optOut := newFact(2, subjectfact.OptedOut, c2, day(0))
	optOut.Channel = "phone"
	insertFacts(t, s, 0, withdrawn, optOut)

	use := func(n uint64, subject string, at time.Time, purpose, basis string) lineage.Event {
		e := lineagetest.Access(lineagetest.UUID(n), subject, at)
		e.Purpose, e.LegalBasis, e.LegitimateInterest = purpose, basis, nil
		if basis == "legitimate_interest" {
			e.LegitimateInterest = lineage.Ptr("7.16")
		}
		return e
	}
	after := use(1, c1, day(1), "planning_analytics", "consent")
	insert(t, s, 0,
		use(2, c1, day(-1), "planning_analytics", "consent"), // before
		after,
		use(3, c1, day(2), "planning_analytics", "legitimate_interest"), // another basis
		use(4, c2, day(1.5), subjectfact.CommercialCommunication, "similar_offer"),
		use(5, c2, day(3), subjectfact.CommercialCommunication, "consent"),
		use(6, c3, day(3), "planning_analytics", "consent"), // never withdrew
	)
	insert(t, s, 100, after) // a retry

	got, err := s.ConsentFlags(ctx, day(-10), day(10))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, f.SubjectID+" "+f.EventID[len(f.EventID)-2:]+" "+string(f.Kind)+" "+f.After.String())
	}
	want := []string{
		c1 + " 01 consent_after_withdrawal 24h0m0s",
		c2 + " 04 opt_out_exception 36h0m0s",
		c2 + " 05 opt_out_violation 72h0m0s",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("ConsentFlags\n got %q\nwant %q", lines, want)
	}
	if got, err := s.ConsentFlags(ctx, day(2), day(10)); err != nil || len(got) != 1 || got[0].Kind != subjectfact.OptOutViolation {
		t.Errorf("a window after the first two: %+v, %v", got, err)
	}
}

// TestErasures: the subjects who asked, the latest request first, each once.
func TestErasures(t *testing.T) {
	s := newMigratedStore(t)
	c1, c2 := lineagetest.Subject(1), lineagetest.Subject(2)
	insertFacts(t, s, 0,
		newFact(1, subjectfact.ErasureRequested, c1, t0),
		newFact(2, subjectfact.ErasureRequested, c2, t0.Add(time.Hour)),
		newFact(3, subjectfact.ErasureRequested, c1, t0.Add(2*time.Hour)),
		newFact(4, subjectfact.OptedOut, lineagetest.Subject(3), t0))
	got, err := s.Erasures(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []ErasureRequest{{c1, t0.Add(2 * time.Hour)}, {c2, t0.Add(time.Hour)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Erasures %+v, want %+v", got, want)
	}
	if _, err := s.Erasures(t.Context(), 0); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("limit 0: %v", err)
	}
}
