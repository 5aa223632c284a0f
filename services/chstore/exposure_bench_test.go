package chstore

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkExposure times what the DPO asks first after a breach, on the
// lookup benchmarks' store (10,000,000 events, 2,000,000 under phone
// numbers, and 300,000 transfers of 100,000 subjects to one recipient):
// the count with its categories, and the first page of 100 subjects. Each
// iteration asks about a random window of at least a year. Run with
//
//	go test -run '^$' -bench Exposure -benchtime 200x -timeout 30m
//
// The sub-benchmarks: the breached recipient (ordered by recipient in
// lineage_disclosures), the police (every event under a phone number,
// resolved through the links), and a source system (lineage_events read
// whole within the window's years).
func BenchmarkExposure(b *testing.B) {
	s := benchStore(b, benchDatabase, nil, true)
	parties := []struct {
		name  string
		kind  PartyKind
		party string
	}{
		{"recipient_100k_subjects", Recipient, benchBreachRecipient},
		{"recipient_under_phone_numbers", Recipient, "rcp-state-police"},
		{"source_system", SourceSystem, "crm"},
	}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range parties {
		b.Run(p.name, func(b *testing.B) {
			var count, page, both []time.Duration
			var subjects uint64
			i := 0
			for b.Loop() {
				// Windows from one to five years, starting on a month boundary.
				from := start.AddDate(0, i%24, 0)
				q := ExposureQuery{Kind: p.kind, Party: p.party, From: from, To: from.AddDate(1+i%4, 0, 0)}
				i++
				t0 := time.Now()
				e, err := s.Exposure(b.Context(), q)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.ExposedSubjects(b.Context(), q, "", 100); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				count, page, both = append(count, t1.Sub(t0)), append(page, t2.Sub(t1)), append(both, t2.Sub(t0))
				subjects += e.Subjects
			}
			for _, m := range []struct {
				name string
				d    []time.Duration
			}{{"count", count}, {"page", page}, {"both", both}} {
				slices.Sort(m.d)
				b.ReportMetric(float64(m.d[len(m.d)/2])/float64(time.Millisecond), m.name+"_p50_ms")
				b.ReportMetric(float64(m.d[len(m.d)*99/100])/float64(time.Millisecond), m.name+"_p99_ms")
			}
			b.ReportMetric(float64(subjects)/float64(len(both)), "subjects/query")
		})
	}
}
