package main

import (
	"bytes"
	"cmp"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// consumeFacts decodes every record of the facts topic, checking each
// record's key: the subject, or the request's reference without one.
func consumeFacts(t *testing.T, brokers []string) []subjectfact.Fact {
	t.Helper()
	codec, err := wire.NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	var out []subjectfact.Fact
	for _, r := range records(t, brokers, topics.Facts) {
		var f subjectfact.Fact
		if err := codec.Decode(r.Value, &f); err != nil {
			t.Fatalf("decode fact at %d@%d: %v", r.Partition, r.Offset, err)
		}
		if string(r.Key) != cmp.Or(f.SubjectID, f.Reference) {
			t.Fatalf("fact record key %q, want the subject or the reference of %+v", r.Key, f)
		}
		out = append(out, f)
	}
	return out
}

// factsConfig is a run with enough customers for every kind of fact.
func factsConfig(brokers []string) Config {
	cfg := testConfig(brokers)
	cfg.Subjects, cfg.Events = 10_000, 60_000
	cfg.PeriodStart = Date{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg.PeriodEnd = Date{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return cfg
}

// TestRunPublishesFacts runs a year of 10,000 customers and reads both
// topics back: the summary counts the facts of each type the topic holds,
// every fact is valid and inside the period, and subjectfact.Flags over
// each customer's facts and events, resolved as the store resolves them,
// gives the flags the model planned, exactly.
func TestRunPublishesFacts(t *testing.T) {
	brokers := cluster(t)
	cfg := factsConfig(brokers)
	var out bytes.Buffer
	if err := run(context.Background(), cfg, quietLogger(), &out); err != nil {
		t.Fatal(err)
	}
	s := parseSummary(t, out.String())
	facts := consumeFacts(t, brokers)
	if s.facts != len(facts) || s.factsFailed != 0 {
		t.Fatalf("summary %+v, the facts topic holds %d", s, len(facts))
	}
	byType := map[string]int{}
	now := time.Now()
	for _, f := range facts {
		if err := f.Validate(now); err != nil {
			t.Fatalf("fact %s: %v", f.ID, err)
		}
		if f.At.Before(cfg.PeriodStart.Time) || !f.RecordedAt.Before(cfg.PeriodEnd.Time) {
			t.Fatalf("fact %s at %s, recorded %s: outside the period", f.ID, f.At, f.RecordedAt)
		}
		byType[string(f.Type)]++
	}
	t.Logf("summary facts_by_type %v", s.factsByType)
	for _, typ := range subjectfact.Types {
		if byType[string(typ)] != s.factsByType[string(typ)] || byType[string(typ)] == 0 {
			t.Errorf("%d facts %s in the topic, %d in the summary: want the same, some", byType[string(typ)], typ, s.factsByType[string(typ)])
		}
	}

	gen, _, _, err := simulation(cfg, cfg.Events)
	if err != nil {
		t.Fatal(err)
	}
	subjectOf := meant(t, cfg, s.events)
	uses := map[string][]subjectfact.Use{}
	for _, e := range consume(t, brokers, s.sent) {
		subject := subjectOf[e.ID]
		uses[subject] = append(uses[subject], subjectfact.Use{EventID: e.ID, OccurredAt: e.OccurredAt, Kind: e.Kind, Purpose: e.Purpose, LegalBasis: e.LegalBasis})
	}
	factsOf := map[string][]subjectfact.Fact{}
	for _, f := range facts {
		factsOf[f.SubjectID] = append(factsOf[f.SubjectID], f)
	}
	planned := map[subjectfact.FlagKind]int{}
	for n := 1; n <= cfg.Subjects; n++ {
		r := gen.Rights(n)
		flags := subjectfact.Flags(r.SubjectID, factsOf[r.SubjectID], uses[r.SubjectID])
		if r.Planned == "" && len(flags) == 0 {
			continue
		}
		planned[r.Planned]++
		if len(flags) != 1 || flags[0].Kind != r.Planned {
			t.Errorf("%s: planned %q, flags %+v", r.SubjectID, r.Planned, flags)
		}
	}
	t.Logf("flags as planned: %v", planned)
	if len(planned) != 3 {
		t.Errorf("planned flags %v: want each kind", planned)
	}
}

// TestFactsFollowTheClock checks the order the sender publishes in: a fact
// goes out before the first event at or after its recorded_at, never
// before an event earlier than that (it is not ahead of the simulated
// clock), at most a simulated day late, batched (a call per simulated day
// at most); what falls after the last event goes out at the end.
func TestFactsFollowTheClock(t *testing.T) {
	cfg := factsConfig([]string{"unused:9092"})
	cfg.Subjects, cfg.Events = 5000, 50_000
	s, pub := sendTo(t, cfg)
	var facts []subjectfact.Fact
	var last time.Time // the last event sent
	for i, x := range pub.order {
		f, ok := x.(subjectfact.Fact)
		if !ok {
			if e, ok := x.(lineage.Event); ok {
				last = e.OccurredAt
			}
			continue
		}
		facts = append(facts, f)
		if f.RecordedAt.Before(last) && last.Sub(f.RecordedAt) > factGather+time.Hour {
			t.Errorf("fact %s recorded at %s went out after an event at %s", f.ID, f.RecordedAt, last)
		}
		for _, y := range pub.order[i+1:] {
			if e, ok := y.(lineage.Event); ok {
				if e.OccurredAt.Before(f.RecordedAt) {
					t.Fatalf("fact %s recorded at %s went out before an event at %s", f.ID, f.RecordedAt, e.OccurredAt)
				}
				break
			}
		}
	}
	days := int(cfg.PeriodEnd.Sub(cfg.PeriodStart.Time) / (24 * time.Hour))
	t.Logf("%d facts in %d calls", len(facts), pub.factCalls)
	if len(facts) == 0 || int64(len(facts)) != s.factsTotal() || pub.factCalls > days+1 || pub.factCalls >= len(facts) {
		t.Errorf("%d facts published in %d calls, %d counted", len(facts), pub.factCalls, s.factsTotal())
	}
	// The same facts as the plan's, in due order.
	gen, _, plan, err := simulation(cfg, cfg.Events)
	if err != nil {
		t.Fatal(err)
	}
	for range cfg.Events {
		gen.Next()
	}
	var want []subjectfact.Fact
	for batch := plan.Rest(100); len(batch) > 0; batch = plan.Rest(100) {
		want = append(want, batch...)
	}
	if !reflect.DeepEqual(facts, want) {
		t.Errorf("published %d facts, the plan has %d, or they differ", len(facts), len(want))
	}
	if !slices.IsSortedFunc(facts, func(a, b subjectfact.Fact) int { return a.RecordedAt.Compare(b.RecordedAt) }) {
		t.Error("facts not published in the order they were recorded")
	}
}

// TestFactsCounted: the sender counts facts by type in
// subjectfact.Types' order.
func TestFactsCounted(t *testing.T) {
	var s sender
	if len(s.factsAcked) != len(subjectfact.Types) {
		t.Fatalf("%d fact counters for %d types", len(s.factsAcked), len(subjectfact.Types))
	}
	s.factsAcked[1].Add(3)
	if got := s.factsByType(); got != "consent_given:0,consent_withdrawn:3,opted_out:0,erasure_requested:0,erasure_notified:0,erasure_confirmed:0,lawful_request_unmet:0" {
		t.Errorf("factsByType = %s", got)
	}
}
